package dev.maskseg.prior.saliency;

/** Otsu's threshold of values in [0, 1] over 256 bins (as MATLAB's graythresh). */
final class Otsu {
    private Otsu() {}

    static double threshold(float[] v) {
        long[] hist = new long[256];
        for (float x : v) hist[Math.max(0, Math.min(255, Math.round(x * 255)))]++;
        long total = v.length;
        double sumAll = 0;
        for (int i = 0; i < 256; i++) sumAll += i * (double) hist[i];
        double sumB = 0, best = -1;
        long wB = 0;
        int bestK = 0;
        for (int k = 0; k < 256; k++) {
            wB += hist[k];
            if (wB == 0) continue;
            long wF = total - wB;
            if (wF == 0) break;
            sumB += k * (double) hist[k];
            double mB = sumB / wB, mF = (sumAll - sumB) / wF;
            double between = (double) wB * wF * (mB - mF) * (mB - mF);
            if (between > best) {
                best = between;
                bestK = k;
            }
        }
        return bestK / 255.0;
    }
}
