package org.chexnet.cli;

import java.io.PrintWriter;
import org.chexnet.common.ChexnetException;
import org.chexnet.common.Version;
import org.chexnet.training.TrainingDivergedException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code chexnet} command. */
@Command(
    name = "chexnet",
    mixinStandardHelpOptions = true,
    versionProvider = Chexnet.VersionProvider.class,
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
  /** Exit code for a spec, option or file the user must fix. */
  static final int USAGE_ERROR = 2;

  /** Exit code for data or a run that failed a check, and for anything unexpected. */
  static final int FAILED = 1;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The one place where the library's exceptions become messages and exit codes. */
  static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new Chexnet());
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          PrintWriter err = commandLine.getErr();
          if (e instanceof ChexnetException c) {
            // The message already says where and what was expected; a stack trace would bury it.
            err.println("error: " + c.getMessage());
            if (c instanceof TrainingDivergedException) {
              err.println(
                  "The run is marked FAILED; its best checkpoint and last backup are kept.");
            }
            return c.kind() == ChexnetException.Kind.INVALID_INPUT ? USAGE_ERROR : FAILED;
          }
          err.println("error: " + e);
          e.printStackTrace(err);
          return FAILED;
        });
    return cli;
  }

  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {
        "chexnet " + Version.current(), "Java " + System.getProperty("java.version")
      };
    }
  }
}
