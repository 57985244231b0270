package dev.maskseg.cli;

import dev.maskseg.pipeline.StageListener;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Command;

/**
 * A picocli mixin without options that every command shares: the console side of a pipeline stage. Status lines go to
 * stdout, warnings to stderr, problems to stderr behind the command's prefix, and each task becomes a progress bar on
 * stderr (steps, speed, elapsed / ETA), so stdout keeps the results.
 */
@Command
final class ConsoleOutput {
    /** A listener whose problem lines read {@code "<prefix>: <message>"}. */
    StageListener listener(String prefix) {
        return new StageListener() {
            private ProgressBar bar;

            @Override
            public void info(String line) { System.out.println(line); }

            @Override
            public synchronized void warning(String line) { System.err.println(ownLine() + line); }

            @Override
            public synchronized void problem(String message) { System.err.println(ownLine() + prefix + ": " + message); }

            /** A line break first while a progress bar is drawn, so the line does not continue the bar's. */
            private String ownLine() { return bar != null ? System.lineSeparator() : ""; }

            @Override
            public synchronized void start(String task, long total, long done) {
                if (bar != null) bar.close();
                bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                        .setConsumer(new ConsoleProgressBarConsumer(System.err)).showSpeed().build();
                if (done > 0) bar.stepTo(done);
            }

            @Override
            public synchronized void advance(long steps, String status) {
                if (bar == null) return;
                bar.stepBy(steps);
                if (status != null) bar.setExtraMessage(status);
            }

            @Override
            public synchronized void end() {
                if (bar != null) bar.close();
                bar = null;
            }
        };
    }
}
