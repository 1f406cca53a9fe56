package org.chexnet.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Version;
import org.chexnet.training.TrainingDivergedException;
import org.tensorflow.TensorFlow;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/** The {@code chexnet} command. */
@Command(
    name = "chexnet",
    mixinStandardHelpOptions = true,
    // Every subcommand gets --help and --version too.
    scope = CommandLine.ScopeType.INHERIT,
    showDefaultValues = true,
    description =
        "CheXNet on TensorFlow Java: reproducible DenseNet experiments on NIH ChestX-ray14.",
    subcommands = {
      RunCommand.class,
      SpecCommand.class,
      DataCommand.class,
      ModelsCommand.class,
      RunsCommand.class,
      SweepCommand.class,
      PredictCommand.class,
      EvaluateCommand.class,
      LocalizeCommand.class,
      ServeCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Chexnet {
  /** Exit code for a spec, option, path or file the user must fix. */
  static final int USAGE_ERROR = 2;

  /** Exit code for data or a run that failed a check, and for a run that could not finish. */
  static final int FAILED = 1;

  /** What every command's --help says under "Exit codes:" (README's table says the same). */
  static final Map<String, String> EXIT_CODES =
      new TreeMap<>(
          Map.of(
              "0",
              "done",
              "1",
              "the data or the run failed a check (data that no longer matches its manifest, a bad"
                  + " image, a diverged run), or the work could not finish (an I/O error)",
              "2",
              "a usage or input error: an option, spec, path or file to fix; nothing was"
                  + " written"));

  /** Set by the launcher: the process that filters this JVM's standard error. */
  static final String STDERR_FILTER_ENV = "CHEXNET_STDERR_FILTER_PID";

  public static void main(String[] args) {
    int exit = commandLine().execute(args);
    awaitStderrFilter();
    System.exit(exit);
  }

  /**
   * The launcher runs this JVM (exec) with standard error through a filter process, its child. Our
   * last lines are still in that filter when we exit: close our end and wait for it to write them,
   * so that an error comes before the shell's next prompt and readers of both streams miss none.
   */
  private static void awaitStderrFilter() {
    String pid = System.getenv(STDERR_FILTER_ENV);
    if (pid == null || !pid.matches("\\d+")) {
      return;
    }
    ProcessHandle.current()
        .children()
        .filter(child -> child.pid() == Long.parseLong(pid))
        .findFirst()
        .ifPresent(
            filter -> {
              System.err.close(); // the filter's input ends when our descriptor 2 closes
              try {
                filter.onExit().get(2, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              } catch (ExecutionException | TimeoutException e) {
                // exit anyway: another process (a trial we started) still writes to it
              }
            });
  }

  /**
   * The one place where the library's exceptions become messages and exit codes: one line naming
   * the path, key or flag; a stack trace only for what can only be a bug.
   */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Chexnet());
    // Enum options read as the help writes them: --on-bad-image skip, --labels data_entry.
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    describeEveryCommand(cli);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          Optional<ChexnetException> known = ChexnetException.explain(e);
          if (known.isPresent()) {
            // The message already says where and what was expected; a stack trace would bury it.
            err.println("error: " + known.get().getMessage());
            if (known.get() instanceof TrainingDivergedException) {
              err.println(
                  "The run is marked FAILED; its best checkpoint and last backup are kept.");
            }
            return known.get().kind() == ChexnetException.Kind.INVALID_INPUT ? USAGE_ERROR : FAILED;
          }
          err.println("internal error (a bug: please report it with the lines below): " + e);
          e.printStackTrace(err);
          return FAILED;
        });
    return cli;
  }

  /** Every command's --help lists the exit codes; every command's -V prints the versions. */
  private static void describeEveryCommand(CommandLine command) {
    CommandSpec spec = command.getCommandSpec();
    spec.usageMessage().exitCodeListHeading("Exit codes:%n");
    spec.usageMessage().exitCodeList(EXIT_CODES);
    spec.versionProvider(new VersionProvider());
    command.getSubcommands().values().forEach(Chexnet::describeEveryCommand);
  }

  /** chexnet's version and commit, and the TensorFlow and Java it runs on. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "chexnet " + Version.current() + " (commit " + Version.commit() + ")",
        "TensorFlow " + TensorFlow.version(),
        "Java " + System.getProperty("java.version")
      };
    }
  }
}
