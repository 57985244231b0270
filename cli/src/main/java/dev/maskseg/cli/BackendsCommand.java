package dev.maskseg.cli;

import dev.maskseg.engine.backend.BackendProvider;
import dev.maskseg.engine.backend.Backends;
import picocli.CommandLine.Command;

import java.util.concurrent.Callable;

@Command(name = "backends", description = "List compute backends, their devices, ranks and whether they are usable, "
        + "and say which one is the default and why (a GPU backend ranks above jvm, an OpenCL CPU driver below it).")
final class BackendsCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        Backends.Choice choice = Backends.choose(Backends.providers(), Main.requestedBackend());
        System.out.printf("%-12s %-5s %-10s %s%n", "NAME", "RANK", "STATUS", "DEVICE");
        for (BackendProvider p : Backends.providers()) {
            String status = p.isAvailable() ? (p.name().equals(choice.name()) ? "default" : "available") : "unusable";
            String device = p.isAvailable() ? Backends.get(p.name()).device() : p.unavailableReason();
            System.out.printf("%-12s %-5d %-10s %s%n", p.name(), p.rank(), status, device);
        }
        System.out.println("default: " + choice.name() + " (" + choice.reason() + ")");
        for (BackendProvider p : Backends.providers()) {
            if (p.isAvailable() && !p.rankReason().isEmpty() && !p.name().equals(choice.name())) {
                System.out.println("  " + p.name() + " ranks " + p.rank() + ": " + p.rankReason());
            }
        }
        return 0;
    }
}
