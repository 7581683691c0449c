package dev.specdec.eval.report;

import dev.specdec.eval.EvalReport;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * The directory an evaluation report goes into, filled all at once: the files are written into a
 * staging directory beside it ({@code .NAME.partial-*}), which replaces it by a rename only when
 * every file is complete. A run that fails, is interrupted or is killed leaves the directory as it
 * was (the previous report, or nothing), never a mix of old and new or a half-written chart.
 *
 * <p>{@link #prepare} checks the target and creates the staging directory before anything is
 * evaluated, so that an unusable {@code --out} fails at once with the reason. {@link #close()}
 * removes the staging directory when nothing was published. A process killed outright (SIGKILL) can
 * leave a {@code .NAME.partial-*} directory behind; it is safe to delete.
 */
public final class ReportDirectory implements AutoCloseable {
  private final Path target;
  private final Path staging;
  private boolean published;
  private boolean closed;

  private ReportDirectory(Path target, Path staging) {
    this.target = target;
    this.staging = staging;
  }

  /**
   * Checks that a report can go into {@code dir} and creates its staging directory.
   *
   * @param replace whether a non-empty {@code dir} may be replaced; an empty one always may
   * @throws java.nio.file.DirectoryNotEmptyException when {@code dir} is not empty and {@code
   *     replace} is false
   * @throws IOException saying why not: {@code dir} is a file, or its parent does not take new
   *     files (permission denied, a read-only or virtual file system)
   */
  public static ReportDirectory prepare(Path dir, boolean replace) throws IOException {
    Objects.requireNonNull(dir, "dir");
    Path target = dir.toAbsolutePath().normalize();
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      if (!Files.isDirectory(target)) {
        throw new IOException(dir + " is a file, not a directory");
      }
      if (!replace && !isEmpty(target)) {
        throw new DirectoryNotEmptyException(dir.toString());
      }
    }
    Path parent = target.getParent();
    if (parent == null) {
      throw new IOException(dir + " is the file system's root: choose a directory inside it");
    }
    try {
      Files.createDirectories(parent);
      Path staging = Files.createTempDirectory(parent, "." + target.getFileName() + ".partial-");
      return new ReportDirectory(target, staging);
    } catch (IOException e) {
      throw new IOException("cannot create files in " + parent + ": " + reason(e, parent), e);
    }
  }

  /** The directory the report ends up in (absolute). */
  public Path target() {
    return target;
  }

  /**
   * Writes every file of {@code report} into the staging directory, then moves it into place,
   * replacing what the target held.
   *
   * @return the files as they lie in the target
   * @throws IOException when a file cannot be written or the rename fails; the target is then as it
   *     was
   * @throws IllegalStateException when already published or closed
   */
  public List<Path> publish(EvalReport report, String command) throws IOException {
    if (published || closed) {
      throw new IllegalStateException("report directory " + target + " was already published");
    }
    List<Path> written = EvalReportWriter.write(report, command, staging);
    Path old = null;
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
      // Set aside rather than deleted first: if the rename below fails, the old report comes back.
      old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".old-");
      Files.delete(old);
      Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
    }
    try {
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (old != null) {
        try {
          Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException restore) {
          e.addSuppressed(restore);
        }
      }
      throw e;
    }
    published = true;
    if (old != null) {
      deleteTree(old);
    }
    List<Path> files = new ArrayList<>(written.size());
    for (Path file : written) {
      files.add(target.resolve(staging.relativize(file)));
    }
    return files;
  }

  /** Deletes the staging directory unless it was published; idempotent. */
  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (!published) {
      deleteTree(staging);
    }
  }

  private static boolean isEmpty(Path dir) throws IOException {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      return !entries.iterator().hasNext();
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Why a directory could not be created in {@code parent}, in words: Java's exceptions often carry
   * only the path.
   */
  static String reason(IOException e, Path parent) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof FileAlreadyExistsException f) {
      return f.getFile() + " is a file, not a directory";
    }
    if (e instanceof NoSuchFileException && Files.isDirectory(parent)) {
      // mkdir in /proc and similar file systems fails with ENOENT although the parent exists.
      return "the file system does not take new directories there (a virtual file system such as"
          + " /proc?)";
    }
    if (e instanceof FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
