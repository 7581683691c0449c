// llama_peer: the llama.cpp side of bench/peer/run. It decodes token ids (not text), so both
// engines see exactly the same input, and times whole generations the way `specdec bench` does:
// tokens per second = new tokens / (prefill + decode) wall time, models already loaded.
//
//   llama_peer run <ids-file> <new-tokens> <threads> <config>
//       config: plain:<target.gguf>  or  spec:<target.gguf>:<draft.gguf>:<n-draft>:<p-min>
//       One untimed warm-up generation per prompt, then one timed generation per prompt; prints
//       one JSON object per prompt: {"prompt", "tokens", "newTokens", "seconds", "passes",
//       "drafted", "accepted"}.
//   llama_peer passcost <model.gguf> <P,P,...> <T,T,...> <repeats> <threads>
//       Milliseconds per forward pass of T new tokens on P cached positions (median, min, max).
//
// <ids-file>: one prompt per line, its token ids (BOS included) separated by spaces.
// Greedy throughout: argmax for plain decoding, a top-1 sampler for llama.cpp's speculative loop
// (common/speculative, the loop of its speculative-simple example), so a speculative run must
// reproduce the plain run's tokens.
#include "common.h"
#include "llama.h"
#include "sampling.h"
#include "speculative.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

[[noreturn]] void fail(const std::string & message) {
    fprintf(stderr, "llama_peer: %s\n", message.c_str());
    exit(1);
}

std::vector<std::string> split(const std::string & s, char sep) {
    std::vector<std::string> parts;
    std::stringstream in(s);
    std::string part;
    while (std::getline(in, part, sep)) parts.push_back(part);
    return parts;
}

std::vector<llama_tokens> read_prompts(const std::string & path) {
    std::ifstream in(path);
    if (!in) fail("cannot read " + path);
    std::vector<llama_tokens> prompts;
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        llama_tokens ids;
        for (int id; fields >> id;) ids.push_back(id);
        if (!ids.empty()) prompts.push_back(ids);
    }
    if (prompts.empty()) fail(path + " holds no prompt");
    return prompts;
}

// One loaded model with its own context (and so its own KV cache).
class Loaded {
  public:
    Loaded(const std::string & path, int threads, int n_ctx) {
        llama_model_params mp = llama_model_default_params();
        model_ = llama_model_load_from_file(path.c_str(), mp);
        if (model_ == nullptr) fail("cannot load " + path);
        llama_context_params cp = llama_context_default_params();
        cp.n_ctx = n_ctx;
        cp.n_batch = 512;
        cp.n_ubatch = 512;
        cp.n_threads = threads;
        cp.n_threads_batch = threads;
        cp.no_perf = true;
        ctx_ = llama_init_from_model(model_, cp);
        if (ctx_ == nullptr) fail("cannot create a context for " + path);
        vocab_ = llama_model_get_vocab(model_);
    }
    Loaded(const Loaded &) = delete;
    Loaded & operator=(const Loaded &) = delete;
    ~Loaded() {
        llama_free(ctx_);
        llama_model_free(model_);
    }

    llama_model * model() const { return model_; }
    llama_context * ctx() const { return ctx_; }
    const llama_vocab * vocab() const { return vocab_; }
    int n_vocab() const { return llama_vocab_n_tokens(vocab_); }

  private:
    llama_model * model_ = nullptr;
    llama_context * ctx_ = nullptr;
    const llama_vocab * vocab_ = nullptr;
};

struct Generation {
    llama_tokens tokens;
    double seconds = 0;
    int passes = 0;
    int drafted = 0;
    int accepted = 0;
};

// Runs ids[from, to) at positions from.. in chunks of the batch size; logits for the last only.
void feed(llama_context * ctx, const llama_tokens & ids, size_t from, size_t to, llama_batch & batch) {
    for (size_t start = from; start < to; start += 512) {
        common_batch_clear(batch);
        size_t end = std::min(to, start + 512);
        for (size_t i = start; i < end; i++) common_batch_add(batch, ids[i], (llama_pos) i, {0}, i + 1 == to);
        if (llama_decode(ctx, batch) != 0) fail("llama_decode failed while prefilling");
    }
}

llama_token argmax(const float * logits, int n) {
    return (llama_token) (std::max_element(logits, logits + n) - logits);
}

// Plain greedy decoding on the schedule specdec uses: prefill all prompt tokens but the last, then
// one pass per new token.
Generation plain(Loaded & target, const llama_tokens & prompt, int new_tokens) {
    Generation g;
    llama_batch batch = llama_batch_init(512, 0, 1);
    auto start = Clock::now();
    llama_kv_cache_clear(target.ctx());
    feed(target.ctx(), prompt, 0, prompt.size() - 1, batch);
    llama_token last = prompt.back();
    llama_pos pos = (llama_pos) prompt.size() - 1;
    while ((int) g.tokens.size() < new_tokens) {
        common_batch_clear(batch);
        common_batch_add(batch, last, pos++, {0}, true);
        if (llama_decode(target.ctx(), batch) != 0) fail("llama_decode failed");
        g.passes++;
        last = argmax(llama_get_logits_ith(target.ctx(), -1), target.n_vocab());
        if (llama_vocab_is_eog(target.vocab(), last)) break;
        g.tokens.push_back(last);
    }
    llama_synchronize(target.ctx());
    g.seconds = seconds_since(start);
    llama_batch_free(batch);
    return g;
}

// llama.cpp's own speculative decoding: common_speculative drafts up to n_draft tokens (stopping
// early below p_min), the target verifies them in one batch, a top-1 sampler accepts.
Generation speculative(Loaded & target, Loaded & draft, const llama_tokens & prompt, int new_tokens,
                       int n_draft, float p_min) {
    Generation g;
    common_params_sampling sampling;
    sampling.samplers = {COMMON_SAMPLER_TYPE_TOP_K};
    sampling.top_k = 1;
    sampling.temp = 0.0f;
    sampling.no_perf = true;
    llama_batch batch = llama_batch_init(512, 0, 1);
    auto start = Clock::now();
    llama_kv_cache_clear(target.ctx());
    llama_kv_cache_clear(draft.ctx());
    common_sampler * sampler = common_sampler_init(target.model(), sampling);
    common_speculative * spec = common_speculative_init(draft.ctx());
    feed(target.ctx(), prompt, 0, prompt.size() - 1, batch);
    llama_tokens context(prompt.begin(), prompt.end() - 1);  // what the target's cache holds
    llama_token last = prompt.back();
    common_speculative_params params;
    params.p_min = p_min;
    params.n_reuse = llama_n_ctx(draft.ctx()) - n_draft;
    bool done = false;
    while (!done) {
        int remaining = new_tokens - (int) g.tokens.size();
        params.n_draft = std::min(n_draft, remaining - 1);
        llama_tokens drafts;
        if (params.n_draft > 0) drafts = common_speculative_gen_draft(spec, params, context, last);
        llama_pos pos = (llama_pos) context.size();
        common_batch_clear(batch);
        common_batch_add(batch, last, pos, {0}, true);
        for (size_t i = 0; i < drafts.size(); i++) common_batch_add(batch, drafts[i], pos + 1 + (llama_pos) i, {0}, true);
        if (llama_decode(target.ctx(), batch) != 0) fail("llama_decode failed while verifying");
        g.passes++;
        llama_tokens verified = common_sampler_sample_and_accept_n(sampler, target.ctx(), drafts);
        if (!drafts.empty()) {
            g.drafted += (int) drafts.size();
            g.accepted += (int) verified.size() - 1;
        }
        for (llama_token token : verified) {
            context.push_back(last);
            last = token;
            if (llama_vocab_is_eog(target.vocab(), token)) {
                done = true;
                break;
            }
            g.tokens.push_back(token);
            if ((int) g.tokens.size() >= new_tokens) {
                done = true;
                break;
            }
        }
        // Drop the cache rows of rejected drafts: the cache holds context, the pending `last` excluded.
        llama_kv_cache_seq_rm(target.ctx(), 0, (llama_pos) context.size(), -1);
    }
    llama_synchronize(target.ctx());
    g.seconds = seconds_since(start);
    common_speculative_free(spec);
    common_sampler_free(sampler);
    llama_batch_free(batch);
    return g;
}

void print_generation(size_t prompt, const Generation & g) {
    printf("{\"prompt\":%zu,\"tokens\":[", prompt);
    for (size_t i = 0; i < g.tokens.size(); i++) printf("%s%d", i ? "," : "", g.tokens[i]);
    printf("],\"newTokens\":%zu,\"seconds\":%.6f,\"passes\":%d,\"drafted\":%d,\"accepted\":%d}\n",
           g.tokens.size(), g.seconds, g.passes, g.drafted, g.accepted);
    fflush(stdout);
}

int run(int argc, char ** argv) {
    if (argc != 6) fail("usage: llama_peer run <ids-file> <new-tokens> <threads> <config>");
    std::vector<llama_tokens> prompts = read_prompts(argv[2]);
    int new_tokens = atoi(argv[3]);
    int threads = atoi(argv[4]);
    std::vector<std::string> config = split(argv[5], ':');
    size_t longest = 0;
    for (const auto & p : prompts) longest = std::max(longest, p.size());
    int n_ctx = (int) longest + new_tokens + 32;
    if (config.size() == 2 && config[0] == "plain") {
        Loaded target(config[1], threads, n_ctx);
        for (size_t p = 0; p < prompts.size(); p++) {
            plain(target, prompts[p], std::min(new_tokens, 16));
            print_generation(p, plain(target, prompts[p], new_tokens));
        }
        return 0;
    }
    if (config.size() == 5 && config[0] == "spec") {
        Loaded target(config[1], threads, n_ctx);
        Loaded draft(config[2], threads, n_ctx);
        int n_draft = atoi(config[3].c_str());
        float p_min = (float) atof(config[4].c_str());
        for (size_t p = 0; p < prompts.size(); p++) {
            speculative(target, draft, prompts[p], std::min(new_tokens, 16), n_draft, p_min);
            print_generation(p, speculative(target, draft, prompts[p], new_tokens, n_draft, p_min));
        }
        return 0;
    }
    fail(std::string("bad config '") + argv[5] + "': plain:<gguf> or spec:<target>:<draft>:<n-draft>:<p-min>");
}

std::vector<int> ints(const std::string & csv) {
    std::vector<int> out;
    for (const auto & part : split(csv, ',')) out.push_back(atoi(part.c_str()));
    return out;
}

int passcost(int argc, char ** argv) {
    if (argc != 7) fail("usage: llama_peer passcost <model.gguf> <P,...> <T,...> <repeats> <threads>");
    std::vector<int> pasts = ints(argv[3]);
    std::vector<int> widths = ints(argv[4]);
    int repeats = atoi(argv[5]);
    int max_past = *std::max_element(pasts.begin(), pasts.end());
    int max_width = *std::max_element(widths.begin(), widths.end());
    Loaded m(argv[2], atoi(argv[6]), max_past + max_width + 16);
    llama_tokens ids(max_past + max_width);
    for (size_t i = 0; i < ids.size(); i++) ids[i] = 3 + (llama_token) ((i * 2654435761u) % (m.n_vocab() - 3));
    llama_batch batch = llama_batch_init(512, 0, 1);
    printf("{\"model\":\"%s\",\"passes\":[", argv[2]);
    bool first = true;
    for (int past : pasts) {
        llama_kv_cache_clear(m.ctx());
        feed(m.ctx(), ids, 0, past, batch);
        std::vector<std::vector<double>> ms(widths.size());
        for (int r = -2; r < repeats; r++) {  // two untimed rounds first
            for (size_t w = 0; w < widths.size(); w++) {
                llama_kv_cache_seq_rm(m.ctx(), 0, past, -1);
                common_batch_clear(batch);
                for (int i = 0; i < widths[w]; i++) common_batch_add(batch, ids[past + i], past + i, {0}, true);
                auto start = Clock::now();
                if (llama_decode(m.ctx(), batch) != 0) fail("llama_decode failed");
                llama_synchronize(m.ctx());
                if (r >= 0) ms[w].push_back(seconds_since(start) * 1e3);
            }
        }
        for (size_t w = 0; w < widths.size(); w++) {
            std::sort(ms[w].begin(), ms[w].end());
            printf("%s{\"past\":%d,\"tokens\":%d,\"medianMillis\":%.4f,\"minMillis\":%.4f,\"maxMillis\":%.4f}",
                   first ? "" : ",", past, widths[w], ms[w][ms[w].size() / 2], ms[w].front(), ms[w].back());
            first = false;
        }
    }
    printf("]}\n");
    llama_batch_free(batch);
    return 0;
}

void quiet(ggml_log_level, const char *, void *) {}

}  // namespace

int main(int argc, char ** argv) {
    llama_log_set(quiet, nullptr);
    llama_backend_init();
    std::string mode = argc > 1 ? argv[1] : "";
    int rc = mode == "run" ? run(argc, argv) : mode == "passcost" ? passcost(argc, argv)
                                                                : (fail("modes: run, passcost"), 1);
    llama_backend_free();
    return rc;
}
