package dev.maskseg.cli;

import dev.maskseg.engine.backend.Backends;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code maskseg} command. Exit codes: 0 success, 2 usage error, 1 any other failure. */
@Command(name = "maskseg", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "maskseg 0.1.0",
        description = "Unsupervised semantic segmentation (MaskContrast, MaskDistill) on a pure-JVM tensor engine.",
        subcommands = {BackendsCommand.class, ForwardCommand.class, FeaturesCommand.class, BenchCommand.class, SmokeCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    @Option(names = "--backend", scope = CommandLine.ScopeType.INHERIT,
            description = "Compute backend (see 'maskseg backends'); default: MASKSEG_BACKEND or the highest-ranked available.")
    void setBackend(String name) { Backends.setDefault(name); }

    public static void main(String[] args) { System.exit(run(args)); }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("maskseg " + cmd.getCommandName() + ": " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (System.getenv("MASKSEG_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl.execute(args);
    }
}
