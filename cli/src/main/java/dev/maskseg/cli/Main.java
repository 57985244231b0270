package dev.maskseg.cli;

import dev.maskseg.engine.backend.Backends;
import dev.maskseg.prior.Priors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** The {@code maskseg} command. Exit codes: 0 success, 2 usage error, 1 any other failure. */
@Command(name = "maskseg", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT, version = "maskseg 0.1.0",
        description = "Unsupervised semantic segmentation (MaskContrast, MaskDistill) on a pure-JVM tensor engine.",
        subcommands = {BackendsCommand.class, ForwardCommand.class, FeaturesCommand.class, BenchCommand.class, SmokeCommand.class, PluginsCommand.class, MineMasksCommand.class, PriorsGalleryCommand.class, DemoCommand.class, MakeDatasetCommand.class, MakeInstancesCommand.class, EvalCommand.class, TrainCommand.class, PredictCommand.class, DetectCommand.class, SparkCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    private static String backendName;
    private static Path pluginsDir;
    private static ClassLoader pluginLoader = Main.class.getClassLoader();

    @Option(names = "--backend", scope = CommandLine.ScopeType.INHERIT,
            description = "Compute backend (see 'maskseg backends'); default: MASKSEG_BACKEND or the highest-ranked available.")
    void setBackend(String name) { backendName = name; }

    @Option(names = "--plugins", scope = CommandLine.ScopeType.INHERIT, paramLabel = "DIR",
            description = "Folder of plugin jars (priors, backends); default: MASKSEG_PLUGINS.")
    void setPlugins(Path dir) { pluginsDir = dir; }

    /** The backend named by --backend, else by -Dmaskseg.backend / MASKSEG_BACKEND; null when none was asked for. */
    static String requestedBackend() { return backendName != null ? backendName : Backends.requestedName(); }

    /** The class loader that sees the plugin jars (the application's when there are none). */
    static ClassLoader pluginLoader() { return pluginLoader; }

    public static void main(String[] args) { System.exit(run(args)); }

    /** The command tree, every subcommand registered (what {@code --help} shows and the README's command table lists). */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.getSubcommands().get("eval").addSubcommand(new EvalInstancesCommand());
        cl.getSubcommands().get("spark").setStopAtPositional(true).setUnmatchedOptionsArePositionalParams(true);
        return cl;
    }

    public static int run(String... args) {
        backendName = null;
        pluginsDir = null;
        pluginLoader = Main.class.getClassLoader();
        CommandLine cl = commandLine();
        cl.setExecutionStrategy(parsed -> {
            try {
                Path dir = Priors.pluginDir(pluginsDir);
                if (dir != null) {
                    pluginLoader = Priors.pluginLoader(dir);
                    Backends.useClassLoader(pluginLoader);
                }
                if (backendName != null) Backends.setDefault(backendName);
            } catch (IOException | RuntimeException e) {
                throw new CommandLine.ParameterException(parsed.commandSpec().commandLine(), e.getMessage(), e);
            }
            return new CommandLine.RunLast().execute(parsed);
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            ConsoleOutput.finishOpenTask();
            cmd.getErr().println("maskseg " + cmd.getCommandName() + ": " + (ex.getMessage() == null ? ex.toString() : ex.getMessage()));
            if (System.getenv("MASKSEG_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl.execute(args);
    }
}
