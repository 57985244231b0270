package dev.maskseg.engine.optim;

import java.util.Arrays;

/** Learning rate as a function of the step (or epoch) index, as torch.optim.lr_scheduler computes it. */
public final class Schedules {
    private Schedules() {}

    @FunctionalInterface
    public interface Schedule {
        double lr(long step);
    }

    /** StepLR: base * gamma^(floor(step / size)). */
    public static Schedule step(double base, long size, double gamma) { return s -> base * Math.pow(gamma, s / size); }

    /** MultiStepLR: base * gamma^(number of milestones <= step). */
    public static Schedule multiStep(double base, long[] milestones, double gamma) {
        long[] m = milestones.clone();
        Arrays.sort(m);
        return s -> {
            int passed = 0;
            for (long x : m) if (s >= x) passed++;
            return base * Math.pow(gamma, passed);
        };
    }

    /** Polynomial decay: base * (1 - step / total)^power (MaskContrast's 'poly', power 0.9). */
    public static Schedule poly(double base, long total, double power) {
        return s -> base * Math.pow(Math.max(0, 1 - (double) s / total), power);
    }

    /** Cosine annealing from base to min over total steps. */
    public static Schedule cosine(double base, double min, long total) {
        return s -> min + (base - min) * (1 + Math.cos(Math.PI * Math.min(s, total) / total)) / 2;
    }

    /** Linear warm-up from 0 over warmup steps, then the wrapped schedule (shifted by warmup). */
    public static Schedule linearWarmup(long warmup, Schedule after) {
        return s -> s < warmup ? after.lr(0) * (s + 1) / warmup : after.lr(s - warmup);
    }
}
