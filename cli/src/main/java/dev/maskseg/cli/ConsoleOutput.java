package dev.maskseg.cli;

import dev.maskseg.pipeline.StageListener;
import picocli.CommandLine.Command;

import java.io.PrintStream;

/**
 * A picocli mixin without options that every command shares: the console side of a pipeline stage. Status lines go to
 * stdout, warnings to stderr, problems to stderr behind the command's prefix, and each task's progress to stderr
 * ({@link ConsoleProgress}: a bar on a terminal, plain lines in a log), so stdout keeps the results. A line printed
 * while a bar is showing first clears the bar's line; a bar left open by a failing stage is ended before
 * {@link Main} prints the error ({@link #finishOpenTask}).
 */
@Command
final class ConsoleOutput {
    private static ConsoleProgress open;

    /** A listener whose problem lines read {@code "<prefix>: <message>"}. */
    StageListener listener(String prefix) {
        PrintStream out = System.out, err = System.err;
        ConsoleProgress progress = ConsoleProgress.create(err);
        return new StageListener() {
            @Override
            public void info(String line) { progress.printAside(() -> out.println(line)); }

            @Override
            public void warning(String line) { progress.printAside(() -> err.println(line)); }

            @Override
            public void problem(String message) { progress.printAside(() -> err.println(prefix + ": " + message)); }

            @Override
            public void start(String task, long total, long done) { start(task, total, done, ""); }

            @Override
            public void start(String task, long total, long done, String unit) {
                progress.start(task, total, done, unit);
                remember(progress);
            }

            @Override
            public void advance(long steps, String status) { progress.advance(steps, status); }

            @Override
            public void end() { progress.end(); }
        };
    }

    private static synchronized void remember(ConsoleProgress p) { open = p; }

    /** Ends the task a failing command left open, so its error starts on a line of its own. */
    static synchronized void finishOpenTask() {
        if (open != null) open.end();
        open = null;
    }
}
