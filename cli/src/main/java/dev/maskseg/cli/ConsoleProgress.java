package dev.maskseg.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarRenderer;
import me.tongfei.progressbar.ProgressState;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * How a task's progress reaches the console (stderr, so stdout keeps the results). On a terminal, a bar redrawn in
 * place (the progressbar library, with our renderer: fields separated, never cut mid-field); in a log or a pipe, plain
 * lines: one when the task has run a second, one per tenth done (at most every 2 s) or every 30 s, and one when it ends. The mode
 * is {@code -Dmaskseg.progress} or {@code MASKSEG_PROGRESS} ({@code bar}, {@code plain}); by default bars when the
 * console is a terminal ({@code bin/maskseg} passes {@code bar} only when stderr is one).
 */
abstract sealed class ConsoleProgress {
    /** What {@code -Dmaskseg.progress} / {@code MASKSEG_PROGRESS} asks for, else what the console is. */
    static ConsoleProgress create(PrintStream err) {
        String mode = System.getProperty("maskseg.progress", System.getenv().getOrDefault("MASKSEG_PROGRESS", ""));
        boolean bars = switch (mode.toLowerCase(Locale.ROOT)) {
            case "bar" -> true;
            case "plain" -> false;
            default -> System.console() != null && System.console().isTerminal();
        };
        return bars ? new Bars(err) : new Lines(err);
    }

    abstract void start(String task, long total, long done, String unit);

    abstract void advance(long steps, String status);

    abstract void end();

    /** Runs {@code print} (a line on stdout or stderr) so that it does not land on the bar's line. */
    abstract void printAside(Runnable print);

    /**
     * Plain lines for logs: never a carriage return, every number whole. A task that ends within a second gets one
     * line (its end); a longer one also a start line (after that second), progress lines and its end line.
     */
    static final class Lines extends ConsoleProgress {
        private static final long START_DELAY_MS = 1000, MIN_GAP = 2_000_000_000L, MAX_GAP = 30_000_000_000L;
        private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "maskseg-progress");
            t.setDaemon(true);
            return t;
        });
        private final PrintStream err;
        private String task, unit, status;
        private long total, first, current, startNanos, lastLine;
        private int lastTenth, generation;
        private boolean started;

        Lines(PrintStream err) { this.err = err; }

        @Override
        synchronized void start(String task, long total, long done, String unit) {
            if (this.task != null) end();
            this.task = task;
            this.unit = unit;
            this.total = total;
            this.first = this.current = done;
            this.status = null;
            this.started = false;
            startNanos = lastLine = System.nanoTime();
            lastTenth = tenth();
            int g = ++generation;
            TIMER.schedule(() -> announce(g), START_DELAY_MS, TimeUnit.MILLISECONDS);
        }

        private synchronized void announce(int g) {
            if (g != generation || task == null || started) return;
            started = true;
            lastLine = System.nanoTime();
            ProgressText t = text(lastLine);
            err.println(current > first ? t.line() : t.startLine());
        }

        @Override
        synchronized void advance(long steps, String status) {
            if (task == null) return;
            current += steps;
            if (status != null) this.status = status;
            long now = System.nanoTime();
            int t = tenth();
            if (now - lastLine >= MAX_GAP || (t > lastTenth && now - lastLine >= MIN_GAP && current < total)) {
                started = true;
                err.println(text(now).line());
                lastLine = now;
                lastTenth = t;
            }
        }

        @Override
        synchronized void end() {
            if (task == null) return;
            err.println(text(System.nanoTime()).endLine());
            task = null;
            generation++;
        }

        @Override
        synchronized void printAside(Runnable print) { print.run(); }

        private int tenth() { return total <= 0 ? 0 : (int) (current * 10 / total); }

        private ProgressText text(long now) {
            return new ProgressText(task, first, current, total, unit, status, Duration.ofNanos(now - startNanos));
        }
    }

    /** A bar on a terminal, redrawn in place by the progressbar library's thread. */
    static final class Bars extends ConsoleProgress {
        private final PrintStream err;
        private final Object lock = new Object();
        private ProgressBar bar;
        private LineConsumer consumer;

        Bars(PrintStream err) { this.err = err; }

        @Override
        synchronized void start(String task, long total, long done, String unit) {
            if (bar != null) end();
            consumer = new LineConsumer(err, lock);
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUpdateIntervalMillis(250)
                    .setRenderer(new Renderer(unit)).setConsumer(consumer).startsFrom(done, Duration.ZERO).build();
        }

        @Override
        synchronized void advance(long steps, String status) {
            if (bar == null) return;
            if (status != null) bar.setExtraMessage(status);
            bar.stepBy(steps);
        }

        @Override
        synchronized void end() {
            if (bar == null) return;
            bar.close(); // renders the final state
            // and ends the line: the library closes its consumer only if its first scheduled refresh has already run, so a
            // task that fails within the first tick would leave its bar open and the error would be printed onto it
            consumer.close();
            bar = null;
            consumer = null;
        }

        @Override
        void printAside(Runnable print) {
            LineConsumer c;
            synchronized (this) {
                c = consumer;
            }
            synchronized (lock) {
                if (c != null) c.clear();
                print.run();
            }
        }
    }

    /** Prints each rendering over the previous one; {@link #clear} blanks the line so another line can take it. */
    static final class LineConsumer extends ConsoleProgressBarConsumer {
        private final PrintStream err;
        private final Object lock;
        private int shown;

        LineConsumer(PrintStream err, Object lock) {
            super(err);
            this.err = err;
            this.lock = lock;
        }

        @Override
        public void accept(String rendered) {
            synchronized (lock) {
                int pad = Math.max(0, shown - rendered.length());
                err.print("\r" + rendered + " ".repeat(pad));
                err.flush();
                shown = rendered.length();
            }
        }

        @Override
        public void clear() {
            synchronized (lock) {
                if (shown == 0) return;
                err.print("\r" + " ".repeat(shown) + "\r");
                err.flush();
                shown = 0;
            }
        }

        @Override
        public void close() {
            synchronized (lock) {
                if (shown > 0) err.println();
                err.flush();
                shown = 0;
            }
        }
    }

    /**
     * {@code task 42% [=====>      ] 84/200 images | epoch 5/20 | loss 4.058 | 21.3 images/s | 0:39 < 0:54}, fitted
     * to the terminal by dropping whole status fields from the end and narrowing the bar, never by cutting a field.
     */
    record Renderer(String unit) implements ProgressBarRenderer {
        private static final int MIN_BAR = 10, MAX_BAR = 30;

        @Override
        public String render(ProgressState s, int maxLength) {
            ProgressText t = new ProgressText(s.getTaskName(), s.getStart(), s.getCurrent(), s.getMax(), unit, s.getExtraMessage(), s.getElapsedAfterStart());
            String u = unit == null || unit.isEmpty() ? "" : " " + unit;
            String counts = s.getMax() > 0 ? s.getCurrent() + "/" + s.getMax() + u : s.getCurrent() + u;
            Duration eta = t.eta();
            String time = ProgressText.clock(s.getElapsedAfterStart()) + (eta == null ? "" : " < " + ProgressText.clock(eta));
            List<String> tail = new ArrayList<>(t.statusFields());
            tail.add(t.speedField());
            tail.add(time);
            String head = String.format(Locale.ROOT, "%s %3d%% ", s.getTaskName(), t.percent());
            int width = maxLength > 0 ? maxLength - 1 : 120; // the last column would wrap on some terminals
            while (true) {
                String rest = " " + counts + (tail.isEmpty() ? "" : ProgressText.SEP + String.join(ProgressText.SEP, tail));
                int room = width - head.length() - rest.length() - 2;
                if (room >= MIN_BAR || tail.isEmpty()) return head + bar(t, Math.max(MIN_BAR, Math.min(MAX_BAR, room))) + rest;
                tail.remove(tail.size() > 2 ? tail.size() - 3 : tail.size() - 1); // status fields go first, then time, then speed
            }
        }

        private static String bar(ProgressText t, int width) {
            if (t.max() <= 0) return "[" + " ".repeat(width) + "]";
            int full = (int) (Math.min(t.current(), t.max()) * width / t.max());
            String b = "=".repeat(full) + (full < width ? ">" : "");
            return "[" + b + " ".repeat(width - b.length()) + "]";
        }
    }
}
