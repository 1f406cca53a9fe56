package org.chexnet.tracking;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.Status;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.treewalk.AbstractTreeIterator;
import org.eclipse.jgit.treewalk.CanonicalTreeParser;
import org.eclipse.jgit.treewalk.EmptyTreeIterator;
import org.eclipse.jgit.treewalk.FileTreeIterator;
import org.eclipse.jgit.treewalk.filter.PathFilterGroup;

/**
 * Where the code of a run came from, captured with JGit.
 *
 * @param inRepository false outside any git repository; then every other field is null or false
 * @param commit HEAD's commit id, null before the first commit
 * @param branch the checked-out branch, or the commit id when HEAD is detached
 * @param dirty whether tracked files differ from HEAD or untracked files exist
 * @param diff {@code git diff HEAD} of tracked files, then a {@code ?? <path>} line per untracked
 *     file; "" when clean
 * @param remoteUrl origin's URL (else the first remote's) without credentials, null if none
 */
public record GitState(
    boolean inRepository,
    String commit,
    String branch,
    boolean dirty,
    String diff,
    String remoteUrl) {

  private static final GitState OUTSIDE_REPOSITORY =
      new GitState(false, null, null, false, null, null);

  /** Captures the repository containing {@code workDir}, found by searching upward for .git. */
  public static GitState capture(Path workDir) {
    FileRepositoryBuilder builder =
        new FileRepositoryBuilder().findGitDir(workDir.toAbsolutePath().toFile());
    if (builder.getGitDir() == null) {
      return OUTSIDE_REPOSITORY;
    }
    try (Repository repository = builder.build();
        Git git = new Git(repository)) {
      ObjectId head = repository.resolve("HEAD");
      Status status = git.status().call();
      return new GitState(
          true,
          head == null ? null : head.name(),
          repository.getBranch(),
          !status.isClean(),
          diff(repository, head, status),
          remoteUrl(repository));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read git state of " + workDir, e);
    } catch (GitAPIException e) {
      throw new UncheckedIOException(new IOException("Could not read git status of " + workDir, e));
    }
  }

  private static String diff(Repository repository, ObjectId head, Status status)
      throws IOException {
    Set<String> trackedChanges = new TreeSet<>(status.getUncommittedChanges());
    StringBuilder text = new StringBuilder();
    if (!trackedChanges.isEmpty()) {
      ByteArrayOutputStream patch = new ByteArrayOutputStream();
      try (DiffFormatter formatter = new DiffFormatter(patch)) {
        formatter.setRepository(repository);
        // HEAD against the working tree, limited to tracked paths: what `git diff HEAD` shows.
        formatter.setPathFilter(PathFilterGroup.createFromStrings(trackedChanges));
        formatter.format(headTree(repository, head), new FileTreeIterator(repository));
      }
      text.append(patch.toString(StandardCharsets.UTF_8));
    }
    new TreeSet<>(status.getUntracked())
        .forEach(path -> text.append("?? ").append(path).append('\n'));
    return text.toString();
  }

  private static AbstractTreeIterator headTree(Repository repository, ObjectId head)
      throws IOException {
    if (head == null) {
      return new EmptyTreeIterator();
    }
    try (RevWalk walk = new RevWalk(repository);
        ObjectReader reader = repository.newObjectReader()) {
      return new CanonicalTreeParser(null, reader, walk.parseCommit(head).getTree());
    }
  }

  private static String remoteUrl(Repository repository) {
    var config = repository.getConfig();
    Set<String> remotes = config.getSubsections("remote");
    String remote =
        remotes.contains("origin") ? "origin" : remotes.stream().sorted().findFirst().orElse(null);
    String url = remote == null ? null : config.getString("remote", remote, "url");
    return url == null ? null : withoutCredentials(url);
  }

  // The URL lands in tags on disk: an https token in it must not.
  private static String withoutCredentials(String url) {
    try {
      URIish uri = new URIish(url);
      boolean http = "http".equals(uri.getScheme()) || "https".equals(uri.getScheme());
      return http ? uri.setUser(null).setPass(null).toString() : uri.setPass(null).toString();
    } catch (URISyntaxException notAUrl) {
      return url;
    }
  }
}
