package dev.maskseg.engine.jvm;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pool runs every task once, from any number of callers, nested or not, and hands a task's failure to its caller. */
class WorkerPoolTest {
    private final WorkerPool pool = new WorkerPool(3);

    @Test
    void concurrentCallersEachGetAllTheirTasksRunOnce() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < 4; c++) {
                done.add(callers.submit(() -> {
                    for (int round = 0; round < 300; round++) {
                        int tasks = 1 + round % 13;
                        AtomicIntegerArray seen = new AtomicIntegerArray(tasks);
                        pool.forRange(tasks, seen::incrementAndGet);
                        for (int t = 0; t < tasks; t++) assertEquals(1, seen.get(t), "task " + t + " of " + tasks);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            callers.shutdownNow();
        }
    }

    @Test
    void nestedCallsRunInlineAndComplete() {
        AtomicIntegerArray seen = new AtomicIntegerArray(8 * 5);
        pool.forRange(8, outer -> pool.forRange(5, inner -> seen.incrementAndGet(outer * 5 + inner)));
        for (int i = 0; i < seen.length(); i++) assertEquals(1, seen.get(i));
    }

    @Test
    void aFailingTaskReachesTheCallerAndThePoolGoesOn() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.forRange(6, t -> {
            if (t == 4) throw new IllegalStateException("task 4 failed");
        }));
        assertEquals("task 4 failed", e.getMessage());
        AtomicIntegerArray seen = new AtomicIntegerArray(6);
        pool.forRange(6, seen::incrementAndGet);
        for (int t = 0; t < 6; t++) assertEquals(1, seen.get(t));
    }

    @Test
    void eachThreadStartsOnItsOwnShareOfTheTasks() {
        WorkerPool two = new WorkerPool(2);
        int startedOnOwnShare = 0;
        for (int round = 0; round < 40 && startedOnOwnShare == 0; round++) {
            Thread caller = Thread.currentThread();
            java.util.Queue<Integer> callerTasks = new java.util.concurrent.ConcurrentLinkedQueue<>(), workerTasks = new java.util.concurrent.ConcurrentLinkedQueue<>();
            two.forRange(8, t -> {
                (Thread.currentThread() == caller ? callerTasks : workerTasks).add(t);
                long until = System.nanoTime() + 300_000;
                while (System.nanoTime() < until) Thread.onSpinWait();
            });
            // the caller's first task is the first of its own share the worker had not taken (on a loaded machine the caller
            // may start late, after the worker finished its share and began on the caller's)
            Integer first = callerTasks.peek();
            if (first != null) {
                assertTrue(first < 4 || workerTasks.containsAll(java.util.List.of(0, 1, 2, 3)), "the caller's first task " + first);
                for (int t = 0; t < Math.min(first, 4); t++) assertTrue(workerTasks.contains(t), "task " + t + " before the caller's first, " + first);
            }
            if (!workerTasks.isEmpty() && workerTasks.peek() == 4) startedOnOwnShare++;
        }
        // claimed first come, first served, the worker's first task would be 1 (or whatever the caller left), not 4
        assertTrue(startedOnOwnShare > 0, "the worker never started on the first task of its share (4 of 8)");
    }

    @Test
    void workersTakeTasksBesideTheCaller() {
        java.util.Set<String> names = java.util.concurrent.ConcurrentHashMap.newKeySet();
        for (int round = 0; round < 200 && names.size() < 2; round++) {
            pool.forRange(6, t -> {
                names.add(Thread.currentThread().getName());
                long until = System.nanoTime() + 200_000;
                while (System.nanoTime() < until) Thread.onSpinWait();
            });
        }
        assertTrue(names.size() >= 2, "only " + names + " ran tasks");
    }
}
