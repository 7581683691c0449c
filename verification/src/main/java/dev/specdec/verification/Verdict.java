package dev.specdec.verification;

import java.util.Arrays;

/**
 * What verification decided for one pass.
 *
 * @param path node indices from the root (0) down the accepted drafts; {@code path.length - 1}
 *     drafts were accepted. Copied in and out.
 * @param nextToken the token that follows the path: the target's correction, or the bonus token
 *     when the path ends at a leaf
 */
public record Verdict(int[] path, int nextToken) {

  /** Validates that the path starts at the root and the token is not negative; copies the path. */
  public Verdict {
    if (path.length == 0 || path[0] != 0) {
      throw new IllegalArgumentException(
          "path must start at the root (node 0), was " + Arrays.toString(path));
    }
    if (nextToken < 0) {
      throw new IllegalArgumentException("nextToken must be >= 0, was " + nextToken);
    }
    path = path.clone();
  }

  /** The accepted path (a copy). */
  @Override
  public int[] path() {
    return path.clone();
  }

  /** Number of accepted drafts: {@code path.length - 1}. */
  public int acceptedDrafts() {
    return path.length - 1;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Verdict v && nextToken == v.nextToken && Arrays.equals(path, v.path);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(path) + nextToken;
  }

  @Override
  public String toString() {
    return "Verdict[path=" + Arrays.toString(path) + ", nextToken=" + nextToken + "]";
  }
}
