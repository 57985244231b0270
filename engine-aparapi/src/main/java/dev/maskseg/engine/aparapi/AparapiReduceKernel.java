package dev.maskseg.engine.aparapi;

/**
 * Device code of the reduction family: one work-item per output, the reduced dims walked in order; host side {@link
 * AparapiReduce}.
 */
abstract class AparapiReduceKernel extends AparapiPointwiseKernel {
    void reduceAt(int o) {
        int srcOff = voff(0, o), innerRank = meta[EXTRA], innerN = meta[EXTRA + 1 + 2 * MAXR];
        int dt = vtype(0);
        double acc = 0.0; // MAX/MIN take element 0 first, like the reference
        int best = 0;
        for (int i = 0; i < innerN; i++) {
            int off = srcOff, rem = i;
            for (int k = innerRank - 1; k >= 0; k--) {
                int s = meta[EXTRA + 1 + k];
                off += (rem % s) * meta[EXTRA + 1 + MAXR + k];
                rem = rem / s;
            }
            double v = load(dt, off);
            if (sub == 0) acc += v;
            else if (sub == 1) {
                if (i == 0 || v > acc || (v != v && acc == acc)) { acc = v; best = i; }
            } else {
                if (i == 0 || v < acc || (v != v && acc == acc)) { acc = v; best = i; }
            }
        }
        store(vtype(1), meta[VIEW0 + VIEW_LEN] + o, acc);
        if (meta[EXTRA + 2 + 2 * MAXR] != 0) d[meta[EXTRA + 3 + 2 * MAXR] + o] = best;
    }
}
