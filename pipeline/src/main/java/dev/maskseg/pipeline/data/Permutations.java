package dev.maskseg.pipeline.data;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/** Seeded shuffling of dataset indices. */
public final class Permutations {
    private Permutations() {}

    /** Fisher–Yates permutation of 0..n-1. */
    public static int[] shuffle(int n, SplittableRandom r) {
        int[] a = IntStream.range(0, n).toArray();
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
