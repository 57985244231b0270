package dev.maskseg.cli;

import dev.maskseg.pipeline.StageListener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The fields of one task's progress as text, shared by the terminal bar and the plain log lines: counts with their
 * unit, the stage's status fields, speed in units per second and elapsed time / ETA, always separated by
 * {@value StageListener#FIELD_SEPARATOR} so no two run together.
 */
record ProgressText(String task, long start, long current, long max, String unit, String status, Duration elapsed) {
    static final String SEP = StageListener.FIELD_SEPARATOR;

    /** Steps per second since this run of the task started (steps done by an earlier run do not count); NaN before any. */
    double speed() {
        double s = elapsed.toNanos() / 1e9;
        return current > start && s > 0 ? (current - start) / s : Double.NaN;
    }

    /** The remaining time at the current speed; null when unknown. */
    Duration eta() {
        double v = speed();
        if (max <= 0 || Double.isNaN(v) || v <= 0) return null;
        return Duration.ofMillis((long) (Math.max(0, max - current) / v * 1000));
    }

    String counts() {
        String u = unit == null || unit.isEmpty() ? "" : " " + unit;
        if (max <= 0) return current + u;
        return String.format(Locale.ROOT, "%d/%d%s (%d%%)", current, max, u, percent());
    }

    int percent() { return max <= 0 ? 0 : (int) Math.min(100, current * 100 / max); }

    String speedField() {
        double v = speed();
        String u = unit == null || unit.isEmpty() ? "steps" : unit;
        if (Double.isNaN(v)) return "- " + u + "/s";
        return (v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : v >= 10 ? String.format(Locale.ROOT, "%.1f", v)
                : String.format(Locale.ROOT, "%.2f", v)) + " " + u + "/s";
    }

    String timeField() {
        Duration eta = eta();
        return "elapsed " + clock(elapsed) + (eta == null ? "" : ", ETA " + clock(eta));
    }

    /** The stage's status split into its fields (empty when none). */
    List<String> statusFields() {
        List<String> out = new ArrayList<>();
        if (status == null || status.isBlank()) return out;
        for (String f : status.split(java.util.regex.Pattern.quote(SEP.trim()))) if (!f.isBlank()) out.add(f.trim());
        return out;
    }

    /** One plain line: {@code task: 84/200 images (42%) | epoch 5/20 | loss 4.058 | 21.3 images/s | elapsed 0:00:39, ETA 0:00:54}. */
    String line() {
        List<String> f = new ArrayList<>();
        f.add(counts());
        f.addAll(statusFields());
        f.add(speedField());
        f.add(timeField());
        return task + ": " + String.join(SEP, f);
    }

    /** The line that opens a task. */
    String startLine() {
        String u = unit == null || unit.isEmpty() ? "" : " " + unit;
        if (max <= 0) return task + ": started";
        return start > 0 ? String.format(Locale.ROOT, "%s: resuming at %d/%d%s", task, start, max, u)
                : String.format(Locale.ROOT, "%s: started, %d%s", task, max, u);
    }

    /** The line that closes a task: done, or stopped early (an error or an interrupted run). */
    String endLine() {
        String u = unit == null || unit.isEmpty() ? "" : " " + unit;
        String speed = Double.isNaN(speed()) ? "" : " (" + speedField() + ")";
        if (max > 0 && current < max) return String.format(Locale.ROOT, "%s: stopped at %d/%d%s after %s", task, current, max, u, clock(elapsed));
        return String.format(Locale.ROOT, "%s: done, %d%s in %s%s", task, current, u, clock(elapsed), speed);
    }

    /** Seconds with one decimal under a minute, else m:ss or h:mm:ss. */
    static String clock(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) return String.format(Locale.ROOT, "%.1f s", Math.max(0, d.toMillis()) / 1000.0);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
