package dev.maskseg.engine.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.logging.Logger;

/**
 * Finds backends with ServiceLoader and picks the default: {@code -Dmaskseg.backend=NAME} or
 * {@code MASKSEG_BACKEND} forces one (an unknown or unavailable name is an error, never a silent
 * fallback); otherwise the highest-ranked available provider wins. The choice is logged once.
 * Instances are created on first use, one per name and {@link BackendOptions}; the default backend has default options.
 */
public final class Backends {
    private static final Logger LOG = Logger.getLogger(Backends.class.getName());
    private static final Map<Key, Backend> CREATED = new LinkedHashMap<>();
    private static volatile Backend defaultBackend;
    private static volatile ClassLoader loader = Backends.class.getClassLoader();

    private Backends() {}

    /** Adds a class loader (for example one over plugin jars) to the provider search. */
    public static synchronized void useClassLoader(ClassLoader cl) {
        loader = cl;
        defaultBackend = null;
    }

    public static synchronized List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class, loader).forEach(list::add);
        list.sort(Comparator.comparingInt(BackendProvider::rank).reversed());
        return list;
    }

    private record Key(String name, BackendOptions options) {}

    /** The backend of that name with default options. */
    public static Backend get(String name) { return get(name, BackendOptions.DEFAULT); }

    /** The backend of that name made with these options (for example a thread count), created on first use. */
    public static synchronized Backend get(String name, BackendOptions options) {
        Key key = new Key(name, options);
        Backend b = CREATED.get(key);
        if (b != null) return b;
        for (BackendProvider p : providers()) {
            if (!p.name().equals(name)) continue;
            if (!p.isAvailable()) {
                throw new IllegalStateException("backend '" + name + "' is not available: " + p.unavailableReason());
            }
            if (options.threads() > p.maxThreads()) {
                throw new IllegalArgumentException("backend " + name + (p.maxThreads() == 0
                        ? " computes on its device and has no thread count (threads=" + options.threads() + ")"
                        : " computes with at most " + p.maxThreads() + " thread(s) (threads=" + options.threads() + ")"));
            }
            if (options.device() != null && !p.choosesDevice()) {
                throw new IllegalArgumentException("backend " + name + " has no device to choose (device=" + options.device() + ")");
            }
            b = p.create(options);
            CREATED.put(key, b);
            return b;
        }
        throw new IllegalArgumentException("unknown backend '" + name + "'; known: "
                + providers().stream().map(BackendProvider::name).toList());
    }

    /** The requested name from the system property or environment, or null. */
    public static String requestedName() {
        String forced = System.getProperty("maskseg.backend");
        if (forced == null || forced.isBlank()) forced = System.getenv("MASKSEG_BACKEND");
        return forced == null || forced.isBlank() ? null : forced.trim();
    }

    /** Which backend is the default and why: the forced one, or the highest-ranked available one. */
    public record Choice(String name, String reason) {}

    /** The default's choice among the providers on the class path (creates no backend). */
    public static Choice choice() { return choose(providers(), requestedName()); }

    /**
     * The choice among these providers: `forced` when given (its availability is checked when it is created), else the
     * highest-ranked available one, with the rank's reason and the higher-ranked providers that were unavailable.
     */
    public static Choice choose(List<BackendProvider> providers, String forced) {
        if (forced != null) return new Choice(forced, "forced (--backend, -Dmaskseg.backend or MASKSEG_BACKEND)");
        List<BackendProvider> sorted = new ArrayList<>(providers);
        sorted.sort(Comparator.comparingInt(BackendProvider::rank).reversed());
        List<String> skipped = new ArrayList<>();
        for (BackendProvider p : sorted) {
            if (!p.isAvailable()) {
                skipped.add(p.name() + " (rank " + p.rank() + ") is unavailable");
                continue;
            }
            String why = "highest-ranked available, rank " + p.rank() + (p.rankReason().isEmpty() ? "" : ": " + p.rankReason());
            return new Choice(p.name(), skipped.isEmpty() ? why : why + "; " + String.join(", ", skipped));
        }
        throw new IllegalStateException("no available maskseg backend");
    }

    public static Backend defaultBackend() {
        Backend b = defaultBackend;
        if (b != null) return b;
        synchronized (Backends.class) {
            if (defaultBackend != null) return defaultBackend;
            Choice c = choice();
            b = get(c.name());
            LOG.info("maskseg backend: " + b.name() + " on " + b.device() + " (" + c.reason() + ")");
            defaultBackend = b;
            return b;
        }
    }

    /**
     * Makes an instance the default and returns the previous one, null if none was chosen yet (benchmarks run a case on
     * one instance, say with one thread, while code under test creates tensors on the default backend); null restores
     * the usual choice on next use.
     */
    public static synchronized Backend setDefault(Backend b) {
        Backend previous = defaultBackend;
        defaultBackend = b;
        return previous;
    }

    /** Overrides the default for this JVM (tests, the CLI's --backend). */
    public static synchronized void setDefault(String name) {
        defaultBackend = get(name);
        LOG.info("maskseg backend: " + defaultBackend.name() + " on " + defaultBackend.device() + " (selected)");
    }
}
