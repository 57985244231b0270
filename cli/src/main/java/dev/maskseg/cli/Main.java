package dev.maskseg.cli;

import dev.maskseg.engine.backend.Backends;
import dev.maskseg.pipeline.Failures;
import dev.maskseg.prior.Priors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import javax.imageio.ImageIO;
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
        ImageIO.setUseCache(false); // no temp-file caches (a full disk made ImageIO's cleanup thread fail with a NullPointerException)
        CommandLine cl = commandLine();
        cl.setExecutionStrategy(parsed -> {
            if (CommandLine.printHelpIfRequested(parsed)) return 0;
            CommandLine leaf = leaf(parsed);
            try {
                Path dir = Priors.pluginDir(pluginsDir);
                if (dir != null) {
                    pluginLoader = Priors.pluginLoader(dir);
                    Backends.useClassLoader(pluginLoader);
                }
                String backend = requestedBackend(); // --backend, -Dmaskseg.backend or MASKSEG_BACKEND: a bad name is a usage error either way
                if (backend != null) Backends.setDefault(backend);
            } catch (IOException | RuntimeException e) {
                String from = backendName == null && Backends.requestedName() != null ? " (from MASKSEG_BACKEND / -Dmaskseg.backend)" : "";
                throw new CommandLine.ParameterException(leaf, Failures.describe(e) + from, e);
            }
            try {
                return new CommandLine.RunLast().execute(parsed);
            } catch (OutOfMemoryError | StackOverflowError e) {
                throw new CommandLine.ExecutionException(leaf, Failures.describe(e), e);
            }
        });
        cl.setParameterExceptionHandler((ex, ignored) -> {
            CommandLine c = ex.getCommandLine();
            String name = c.getCommandSpec().qualifiedName();
            c.getErr().println(name + ": " + ex.getMessage() + " (see '" + name + " --help')");
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, c.getErr());
            if (System.getenv("MASKSEG_DEBUG") != null) ex.printStackTrace(c.getErr());
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            ConsoleOutput.finishOpenTask();
            cmd.getErr().println(errorLine(cmd.getCommandSpec().qualifiedName(), ex));
            if (System.getenv("MASKSEG_DEBUG") != null) ex.printStackTrace(cmd.getErr());
            return 1;
        });
        return cl.execute(args);
    }

    /** {@code "maskseg eval miou: <why>"}, the reason's own copy of the command name dropped ("eval miou: ", "miou: "). */
    static String errorLine(String qualifiedName, Throwable e) {
        String why = Failures.describe(e);
        String command = qualifiedName.startsWith("maskseg ") ? qualifiedName.substring("maskseg ".length()) : qualifiedName;
        String last = command.substring(command.lastIndexOf(' ') + 1);
        for (String prefix : new String[]{qualifiedName + ": ", command + ": ", last + ": "}) {
            if (why.startsWith(prefix)) {
                why = why.substring(prefix.length());
                break;
            }
        }
        return qualifiedName + ": " + why;
    }

    private static CommandLine leaf(CommandLine.ParseResult parsed) {
        CommandLine.ParseResult p = parsed;
        while (p.hasSubcommand()) p = p.subcommand();
        return p.commandSpec().commandLine();
    }
}
