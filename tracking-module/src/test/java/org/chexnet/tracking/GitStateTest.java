package org.chexnet.tracking;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.StoredConfig;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GitStateTest {
  @TempDir Path temp;

  private Git init() throws Exception {
    return Git.init().setDirectory(temp.toFile()).setInitialBranch("main").call();
  }

  private static RevCommit commitAll(Git git, String message) throws Exception {
    git.add().addFilepattern(".").call();
    return git.commit()
        .setMessage(message)
        .setAuthor("t", "t@example.org")
        .setCommitter("t", "t@example.org")
        .setSign(false)
        .call();
  }

  @Test
  void cleanRepositoryGivesCommitAndBranch() throws Exception {
    try (Git git = init()) {
      Files.writeString(temp.resolve("Train.java"), "class Train {}\n");
      RevCommit commit = commitAll(git, "first");
      Path subdirectory = Files.createDirectories(temp.resolve("src/main"));

      GitState state = GitState.capture(subdirectory);

      assertEquals(new GitState(true, commit.name(), "main", false, "", null), state);
    }
  }

  @Test
  void modifiedTrackedFileMakesItDirtyWithTheChangeInTheDiff() throws Exception {
    try (Git git = init()) {
      Files.writeString(temp.resolve("spec.yaml"), "lr: 0.001\nepochs: 5\n");
      Files.writeString(temp.resolve("unchanged.txt"), "same\n");
      commitAll(git, "first");
      Files.writeString(temp.resolve("spec.yaml"), "lr: 0.01\nepochs: 5\n");
      Files.writeString(temp.resolve("notes.txt"), "scratch\n");

      GitState state = GitState.capture(temp);

      assertTrue(state.dirty());
      assertTrue(state.diff().contains("diff --git a/spec.yaml b/spec.yaml"), state.diff());
      assertTrue(state.diff().contains("\n-lr: 0.001\n+lr: 0.01\n"), state.diff());
      assertFalse(state.diff().contains("unchanged.txt"), state.diff());
      assertFalse(state.diff().contains("scratch"), state.diff());
      assertTrue(state.diff().endsWith("?? notes.txt\n"), state.diff());
    }
  }

  @Test
  void untrackedFileAloneMakesItDirty() throws Exception {
    try (Git git = init()) {
      Files.writeString(temp.resolve("a.txt"), "a\n");
      commitAll(git, "first");
      Files.writeString(temp.resolve("new.txt"), "n\n");

      GitState state = GitState.capture(temp);

      assertTrue(state.dirty());
      assertEquals("?? new.txt\n", state.diff());
    }
  }

  @Test
  void remoteUrlIsOriginsWithoutCredentials() throws Exception {
    try (Git git = init()) {
      Files.writeString(temp.resolve("a.txt"), "a\n");
      commitAll(git, "first");
      StoredConfig config = git.getRepository().getConfig();
      config.setString(
          "remote", "origin", "url", "https://user:secret@github.com/chexnet/chexnet-java.git");
      config.save();

      assertEquals(
          "https://github.com/chexnet/chexnet-java.git", GitState.capture(temp).remoteUrl());
    }
  }

  @Test
  void repositoryWithoutCommitsHasNoCommitAndIsDirtyWithFiles() throws Exception {
    init().close();
    Files.writeString(temp.resolve("first.txt"), "hello\n");

    GitState state = GitState.capture(temp);

    assertTrue(state.inRepository());
    assertNull(state.commit());
    assertEquals("main", state.branch());
    assertTrue(state.dirty());
    assertEquals("?? first.txt\n", state.diff());
  }

  @Test
  void outsideAnyRepositoryNothingIsKnown() {
    for (Path directory = temp.toAbsolutePath();
        directory != null;
        directory = directory.getParent()) {
      assumeTrue(
          !Files.exists(directory.resolve(".git")),
          "a .git exists above the temp dir: " + directory);
    }

    assertEquals(new GitState(false, null, null, false, null, null), GitState.capture(temp));
  }
}
