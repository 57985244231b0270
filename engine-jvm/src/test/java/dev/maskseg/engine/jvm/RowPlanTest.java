package dev.maskseg.engine.jvm;

import dev.maskseg.engine.backend.View;
import dev.maskseg.engine.storage.HostStorage;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every element is visited exactly once, whether rows go whole to the threads or long rows are cut into chunks. */
class RowPlanTest {
    @ParameterizedTest(name = "{0}x{1}, {2} threads")
    @CsvSource({"1, 100000, 2", "3, 70001, 2", "1, 100000, 1", "1000, 40, 2", "0, 5, 2", "1, 17, 2", "2, 65537, 3"})
    void visitsEveryElementOnce(int rows, int cols, int threads) {
        View v = new View(new HostStorage.F32(new float[rows * cols]), 0, new int[]{rows, cols}, new int[]{cols, 1});
        AtomicIntegerArray seen = new AtomicIntegerArray(rows * cols);
        new RowPlan(v.shape(), v).forEachRow(new WorkerPool(threads), (off, n) -> {
            for (int i = 0; i < n; i++) seen.incrementAndGet(off[0] + i);
        });
        for (int i = 0; i < rows * cols; i++) assertEquals(1, seen.get(i), "element " + i);
    }
}
