package dev.maskseg.spark;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code maskseg spark <stage> --master URL [the single-machine command's options]} (docs/design.md §4b), and the main
 * class of the application jar that {@code spark-submit} runs. Each stage writes what its single-machine command
 * writes. Exit codes: 0 success, 2 usage error, 1 any other failure (one line on stderr; stack traces with
 * MASKSEG_DEBUG=1).
 */
@Command(name = "maskseg spark", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "maskseg 0.1.0",
        description = {"Run a dataset stage as an Apache Spark job: images are read and decoded in the executors, partitions "
                + "sized by bytes, model files broadcast once per executor; the outputs are those of the single-machine command.",
                "--master local[N] runs it in this JVM; local-cluster[W,C,MB] with separate executor JVMs; --print-submit prints "
                        + "the spark-submit line for a cluster instead."},
        subcommands = {StageCommands.MineMasks.class, StageCommands.Features.class, StageCommands.Predict.class,
                StageCommands.PseudoMaps.class, StageCommands.Eval.class, CommandLine.HelpCommand.class})
public final class SparkMain {
    public static void main(String[] args) { System.exit(run(args)); }

    /** Runs the command line; the exit code. */
    public static int run(String... args) {
        CommandLine cl = new CommandLine(new SparkMain());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (System.getenv("MASKSEG_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl.execute(args);
    }
}
