package dev.maskseg.engine.backend.ref;

import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.storage.HostStorage;

import java.util.Arrays;

import static dev.maskseg.engine.backend.ref.RefPointwise.h;

/** Scalar batched matmul with double accumulation. */
final class RefLinAlg {
    private RefLinAlg() {}

    static void matmul(View a, View b, View dst) {
        int r = a.rank(), m = a.shape()[r - 2], k = a.shape()[r - 1], n = b.shape()[r - 1];
        int[] batch = Arrays.copyOfRange(a.shape(), 0, r - 2);
        int nb = 1;
        for (int s : batch) nb *= s;
        int[][] st = {Arrays.copyOfRange(a.strides(), 0, r - 2), Arrays.copyOfRange(b.strides(), 0, r - 2),
                Arrays.copyOfRange(dst.strides(), 0, r - 2)};
        Cursor c = new Cursor(batch, st, new int[]{a.offset(), b.offset(), dst.offset()});
        HostStorage x = h(a), y = h(b), d = h(dst);
        int am = a.strides()[r - 2], ak = a.strides()[r - 1], bk = b.strides()[r - 2], bn = b.strides()[r - 1];
        int dm = dst.strides()[r - 2], dn = dst.strides()[r - 1];
        for (int bi = 0; bi < nb; bi++, c.next()) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int p = 0; p < k; p++) acc += x.get(c.off[0] + i * am + p * ak) * y.get(c.off[1] + p * bk + j * bn);
                    d.set(c.off[2] + i * dm + j * dn, acc);
                }
            }
        }
    }
}
