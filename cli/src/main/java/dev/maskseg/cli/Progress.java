package dev.maskseg.cli;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress bars on stderr (steps, speed, elapsed / ETA), so stdout keeps the results. */
final class Progress {
    private Progress() {}

    static ProgressBar bar(String task, long max, long done) {
        ProgressBar pb = new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).showSpeed().build();
        if (done > 0) pb.stepTo(done);
        return pb;
    }
}
