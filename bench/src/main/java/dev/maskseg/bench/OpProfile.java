package dev.maskseg.bench;

import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.ConvParams;
import dev.maskseg.engine.backend.View;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a case spends its time, op by op: a {@link Backend} that forwards every call to another one and adds the calling
 * thread's CPU time (and the wall time) to the op's entry; conv2d calls are keyed by their shapes. CPU time of the
 * calling thread is what a one-thread backend spends, and it stays meaningful on a loaded machine; with more threads
 * only the wall times mean anything. Used by {@code maskseg bench ... --profile}.
 */
public final class OpProfile {
    /** Totals of one key. */
    public static final class Entry {
        public long calls, cpuNanos, wallNanos;
    }

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Backend profiled;

    public OpProfile(Backend delegate) {
        InvocationHandler h = (proxy, m, args) -> {
            if (m.getDeclaringClass() == Object.class || m.getName().equals("name") || m.getName().equals("device")
                    || m.getName().equals("threads")) {
                return invoke(m, delegate, args);
            }
            long c0 = THREADS.getCurrentThreadCpuTime(), w0 = System.nanoTime();
            try {
                return invoke(m, delegate, args);
            } finally {
                long c1 = THREADS.getCurrentThreadCpuTime(), w1 = System.nanoTime();
                synchronized (entries) {
                    Entry e = entries.computeIfAbsent(key(m.getName(), args), k -> new Entry());
                    e.calls++;
                    e.cpuNanos += c1 - c0;
                    e.wallNanos += w1 - w0;
                }
            }
        };
        profiled = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[]{Backend.class}, h);
    }

    private static Object invoke(java.lang.reflect.Method m, Object target, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** The backend to run the case on. */
    public Backend backend() { return profiled; }

    public void reset() {
        synchronized (entries) {
            entries.clear();
        }
    }

    public Map<String, Entry> entries() {
        synchronized (entries) {
            return new LinkedHashMap<>(entries);
        }
    }

    private static String key(String op, Object[] args) {
        if (op.startsWith("conv2d") && args != null) {
            View[] views = Arrays.stream(args).filter(o -> o instanceof View).toArray(View[]::new);
            View a = views[0], b = views[1];
            ConvParams p = null;
            for (Object o : args) if (o instanceof ConvParams cp) p = cp;
            String geo = p == null ? "" : " s" + p.strideH() + " p" + p.padH() + " d" + p.dilationH();
            return op + " " + Arrays.toString(a.shape()) + " w" + Arrays.toString(b.shape()) + geo;
        }
        if (args != null && args.length > 0 && args[0] instanceof Enum<?> e) return op + " " + e.name();
        return op;
    }

    /** The entries by CPU time, largest first, with their share of totalCpuNanos (the whole step). */
    public String table(long totalCpuNanos, int rows) {
        StringBuilder sb = new StringBuilder(String.format("%-90s %7s %10s %10s %6s%n", "op", "calls", "cpu ms", "wall ms", "cpu %"));
        long inOps = 0;
        var list = entries().entrySet().stream().sorted((x, y) -> Long.compare(y.getValue().cpuNanos, x.getValue().cpuNanos)).toList();
        for (var e : list) inOps += e.getValue().cpuNanos;
        for (var e : list.subList(0, Math.min(rows, list.size()))) {
            Entry v = e.getValue();
            sb.append(String.format("%-90s %7d %10.1f %10.1f %5.1f%%%n", e.getKey(), v.calls, v.cpuNanos / 1e6, v.wallNanos / 1e6,
                    100.0 * v.cpuNanos / Math.max(1, totalCpuNanos)));
        }
        sb.append(String.format("%-90s %7s %10.1f %10s %5.1f%%%n", "(outside backend calls: autograd, allocation, glue)", "",
                (totalCpuNanos - inOps) / 1e6, "", 100.0 * (totalCpuNanos - inOps) / Math.max(1, totalCpuNanos)));
        return sb.toString();
    }

    /** The entries grouped by op (the key's first word), largest first. */
    public String summary(long totalCpuNanos) {
        Map<String, Entry> byOp = new LinkedHashMap<>();
        entries().forEach((k, v) -> {
            Entry e = byOp.computeIfAbsent(k.split(" ")[0], x -> new Entry());
            e.calls += v.calls;
            e.cpuNanos += v.cpuNanos;
            e.wallNanos += v.wallNanos;
        });
        StringBuilder sb = new StringBuilder(String.format("%-30s %7s %10s %6s%n", "op (all shapes)", "calls", "cpu ms", "cpu %"));
        byOp.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue().cpuNanos, x.getValue().cpuNanos)).forEach(e ->
                sb.append(String.format("%-30s %7d %10.1f %5.1f%%%n", e.getKey(), e.getValue().calls, e.getValue().cpuNanos / 1e6,
                        100.0 * e.getValue().cpuNanos / Math.max(1, totalCpuNanos))));
        return sb.toString();
    }

    /** CPU time of the calling thread, in nanoseconds. */
    public static long threadCpuNanos() { return THREADS.getCurrentThreadCpuTime(); }
}
