package dev.maskseg.spark;

import java.io.IOException;

/** After a job: the partial files of tasks lost mid-write (a killed executor) removed from its output folders, and said so. */
final class Partials {
    private Partials() {}

    static void remove(SparkJob job, SparkFolder... folders) throws IOException {
        int n = 0;
        for (SparkFolder f : folders) n += f.removePartials();
        if (n > 0) job.console.info("removed " + n + " partial file(s) that lost tasks left (their images were redone)");
    }
}
