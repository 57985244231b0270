package dev.maskseg.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.maskseg.engine.backend.Backend;
import dev.maskseg.engine.backend.BackendProvider;
import dev.maskseg.engine.backend.Backends;
import dev.maskseg.engine.io.AtomicFiles;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code maskseg bench kernels|models} as a library call: time the cases on the backends, run the peers
 * ({@code bench/peers.py}) in the same run, print the table and write the JSON records (docs/design.md §4) atomically.
 */
public final class BenchRuns {
    /** json: where the records go; peers: whether to run the peer script (peersScript, or bench/peers.py when null). */
    /** threads: the thread counts to time (empty: 1 and every core); cases: the case ids to run (empty: all). */
    public record Settings(Path json, boolean quick, boolean peers, Path peersScript, boolean profile, List<Integer> threads, List<String> cases,
                           boolean minHeap) {
        public Settings(Path json, boolean quick, boolean peers, Path peersScript) {
            this(json, quick, peers, peersScript, false, List.of(), List.of(), false);
        }
    }

    private BenchRuns() {}

    /**
     * The kernel cases on every usable backend but the reference one, or on the requested one (null: all), each with 1
     * thread and every core where its thread count can be chosen.
     */
    public static List<KernelBench.Record> kernels(String requestedBackend, Settings s) throws IOException {
        List<KernelBench.Record> records = new ArrayList<>();
        for (String name : backends(requestedBackend)) {
            for (Backend be : BenchBackends.instances(name, s.threads())) {
                System.err.println("benchmarking " + BenchBackends.describe(be) + "...");
                records.addAll(KernelBench.run(be, s.quick()));
            }
        }
        if (s.peers()) records.addAll(Peers.measure(s.peersScript(), s.quick(), s.threads()));
        Table.printKernels(records);
        write(s.json(), records);
        return records;
    }

    /**
     * The model cases on every usable backend but the reference one, or on the requested one (null: all), each with 1
     * thread and every core where its thread count can be chosen.
     */
    public static List<ModelBench.Record> models(String requestedBackend, Settings s) throws IOException {
        List<ModelBench.Record> records = new ArrayList<>();
        for (String name : backends(requestedBackend)) {
            for (Backend be : BenchBackends.instances(name, s.threads())) {
                System.err.println("benchmarking models on " + BenchBackends.describe(be) + "...");
                records.addAll(ModelBench.run(be, s.quick()));
            }
        }
        if (s.peers()) records.addAll(Peers.measureModels(s.peersScript(), s.quick(), s.threads()));
        Table.printModels(records);
        write(s.json(), records);
        return records;
    }

    /** The training-step cases on the default backend, with 1 thread and every core where its thread count can be chosen. */
    public static List<TrainBench.Record> train(Settings s) throws IOException {
        List<TrainBench.Record> records = new ArrayList<>();
        for (Backend be : BenchBackends.instances(Backends.defaultBackend().name(), s.threads())) {
            System.err.println("benchmarking training steps on " + BenchBackends.describe(be) + "...");
            records.addAll(TrainBench.run(be, s.quick(), s.profile(), s.cases(), s.minHeap()));
        }
        if (s.peers()) records.addAll(Peers.measureTrain(s.peersScript(), s.quick(), s.threads(), s.cases()));
        Table.printTrain(records);
        write(s.json(), records);
        return records;
    }

    /** The usable backends but the reference one, or only the requested one; the default when none is usable. */
    private static List<String> backends(String requestedBackend) {
        List<String> names = new ArrayList<>();
        for (BackendProvider p : Backends.providers()) {
            if (!p.isAvailable() || p.name().equals("reference")) continue;
            if (requestedBackend == null || requestedBackend.equals(p.name())) names.add(p.name());
        }
        if (names.isEmpty()) names.add(Backends.defaultBackend().name());
        return names;
    }

    private static void write(Path json, List<?> records) throws IOException {
        ObjectMapper om = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        AtomicFiles.write(json, out -> om.writeValue(out, records));
        System.out.println("wrote " + json);
    }
}
