"""Where the training tools keep their intermediate files (corpus, tokenizer, token cache, checkpoints,
export reports): outside the checkout, so that a fresh clone or `git clean` of the work tree does not
lose hours of training. $SPECDEC_TRAIN_WORK, or specdec-train-work/ beside the checkout."""
import os

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORK = os.environ.get("SPECDEC_TRAIN_WORK") or os.path.join(os.path.dirname(_ROOT), "specdec-train-work")
