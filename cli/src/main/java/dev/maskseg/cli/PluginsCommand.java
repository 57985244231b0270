package dev.maskseg.cli;

import dev.maskseg.engine.backend.BackendProvider;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.prior.MaskPrior;
import dev.maskseg.prior.PriorParam;
import dev.maskseg.prior.Priors;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "plugins", description = {"List the mask priors and compute backends found (class path and --plugins jars), "
        + "with each prior's parameters and defaults."})
final class PluginsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.out.println("PRIORS (use with: maskseg mine-masks --prior NAME --param key=value)");
        for (MaskPrior p : Priors.all(Main.pluginLoader()).values()) {
            System.out.printf("  %-14s %s  [%s]%n", p.name(), p.description(), source(p.getClass()));
            for (PriorParam q : p.params()) {
                System.out.printf("      %-12s %-10s %s%n", q.name(), q.required() ? "(required)" : "= " + q.defaultValue(), q.description());
            }
        }
        System.out.println("BACKENDS (use with: --backend NAME)");
        for (BackendProvider b : Backends.providers()) {
            String state = b.isAvailable() ? "usable   " + Backends.get(b.name()).device() : "unusable " + b.unavailableReason();
            System.out.printf("  %-14s rank %-4d %s  [%s]%n", b.name(), b.rank(), state, source(b.getClass()));
        }
        return 0;
    }

    /** The jar (file name) or folder a class was loaded from. */
    static String source(Class<?> c) {
        var cs = c.getProtectionDomain().getCodeSource();
        if (cs == null) return "?";
        String path = cs.getLocation().getPath();
        return path.substring(path.lastIndexOf('/', path.length() - 2) + 1);
    }
}
