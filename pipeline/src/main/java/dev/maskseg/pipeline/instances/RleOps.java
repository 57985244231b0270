package dev.maskseg.pipeline.instances;

import java.util.List;

/** Union/intersection and IoU on RLEs and boxes, as pycocotools' {@code rleMerge}, {@code rleIou} and {@code bbIou}. */
public final class RleOps {
    private static final long UINT = 0xffffffffL;

    private RleOps() {}

    /**
     * Union (or intersection) of all masks, computed on the runs. An empty list gives a 0x0 RLE, and masks of
     * different sizes give a 0x0 RLE with no counts, as {@code rleMerge} does.
     */
    public static Rle merge(List<Rle> rles, boolean intersect) {
        if (rles.isEmpty()) return new Rle(0, 0, new int[0]);
        Rle first = rles.get(0);
        if (rles.size() == 1) return first;
        int h = first.height(), w = first.width();
        int[] cnts = first.counts();
        int m = cnts.length;
        for (int i = 1; i < rles.size(); i++) {
            Rle bRle = rles.get(i);
            if (bRle.height() != h || bRle.width() != w) {
                h = w = m = 0;
                break;
            }
            int[] a = java.util.Arrays.copyOf(cnts, m);
            int[] b = bRle.counts();
            if (a.length == 0 || b.length == 0) throw new IllegalArgumentException("cannot merge an RLE without counts");
            int[] out = new int[a.length + b.length + 1];
            long ca = a[0] & UINT, cb = b[0] & UINT, cc = 0, ct = 1;
            boolean v = false, va = false, vb = false;
            int ia = 1, ib = 1;
            m = 0;
            while (ct > 0) {
                long c = Math.min(ca, cb);
                cc += c;
                ct = 0;
                ca -= c;
                if (ca == 0 && ia < a.length) {
                    ca = a[ia++] & UINT;
                    va = !va;
                }
                ct += ca;
                cb -= c;
                if (cb == 0 && ib < b.length) {
                    cb = b[ib++] & UINT;
                    vb = !vb;
                }
                ct += cb;
                boolean vp = v;
                v = intersect ? va && vb : va || vb;
                if (v != vp || ct == 0) {
                    out[m++] = (int) cc;
                    cc = 0;
                }
            }
            cnts = out;
        }
        return new Rle(h, w, java.util.Arrays.copyOf(cnts, m));
    }

    /**
     * IoU of every detection with every ground truth, {@code [dt][gt]}. For a crowd ground truth the union is the
     * detection's area. As {@code rleIou}: pairs whose boxes do not overlap are 0 without looking at the runs, and
     * pairs with overlapping boxes but different mask sizes are -1.
     */
    public static double[][] iou(List<Rle> dt, List<Rle> gt, boolean[] crowd) {
        checkCrowd(gt.size(), crowd);
        double[][] db = new double[dt.size()][], gb = new double[gt.size()][];
        for (int d = 0; d < db.length; d++) db[d] = dt.get(d).toBbox();
        for (int g = 0; g < gb.length; g++) gb[g] = gt.get(g).toBbox();
        double[][] o = boxIou(db, gb, crowd);
        for (int g = 0; g < gb.length; g++) {
            for (int d = 0; d < db.length; d++) {
                if (!(o[d][g] > 0)) continue;
                Rle dr = dt.get(d), gr = gt.get(g);
                if (dr.height() != gr.height() || dr.width() != gr.width()) {
                    o[d][g] = -1;
                    continue;
                }
                o[d][g] = maskIou(dr, gr, crowd[g]);
            }
        }
        return o;
    }

    private static double maskIou(Rle dt, Rle gt, boolean crowd) {
        int ka = dt.length(), kb = gt.length();
        long ca = dt.count(0) & UINT, cb = gt.count(0) & UINT, inter = 0, union = 0, ct = 1;
        boolean va = false, vb = false;
        int a = 1, b = 1;
        while (ct > 0) {
            long c = Math.min(ca, cb);
            if (va || vb) {
                union += c;
                if (va && vb) inter += c;
            }
            ct = 0;
            ca -= c;
            if (ca == 0 && a < ka) {
                ca = dt.count(a++) & UINT;
                va = !va;
            }
            ct += ca;
            cb -= c;
            if (cb == 0 && b < kb) {
                cb = gt.count(b++) & UINT;
                vb = !vb;
            }
            ct += cb;
        }
        if (inter == 0) union = 1;
        else if (crowd) union = dt.area();
        return (double) (inter & UINT) / (double) (union & UINT);
    }

    /** Box IoU, boxes as {@code [x, y, w, h]}, {@code [dt][gt]}; for a crowd ground truth the union is the detection's area ({@code bbIou}). */
    public static double[][] boxIou(double[][] dt, double[][] gt, boolean[] crowd) {
        checkCrowd(gt.length, crowd);
        double[][] o = new double[dt.length][gt.length];
        for (int g = 0; g < gt.length; g++) {
            double[] G = gt[g];
            double ga = G[2] * G[3];
            for (int d = 0; d < dt.length; d++) {
                double[] D = dt[d];
                double da = D[2] * D[3];
                double w = Math.min(D[2] + D[0], G[2] + G[0]) - Math.max(D[0], G[0]);
                if (w <= 0) continue;
                double h = Math.min(D[3] + D[1], G[3] + G[1]) - Math.max(D[1], G[1]);
                if (h <= 0) continue;
                double i = w * h;
                double u = crowd[g] ? da : da + ga - i;
                o[d][g] = i / u;
            }
        }
        return o;
    }

    private static void checkCrowd(int gts, boolean[] crowd) {
        if (crowd.length != gts) throw new IllegalArgumentException("iou: " + crowd.length + " crowd flags for " + gts + " ground truths");
    }
}
