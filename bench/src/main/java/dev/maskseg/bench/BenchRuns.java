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
    /**
     * json: where the records go; peers: whether to run the peer script (peersScript, or bench/peers.py when null);
     * threads: the thread counts to time (empty: 1 and every core); cases: the case ids to run (empty: all); rounds: how
     * many times ours and then the peers are timed in turn (kernels and models).
     */
    public record Settings(Path json, boolean quick, boolean peers, Path peersScript, boolean profile, List<Integer> threads, List<String> cases,
                           boolean minHeap, int rounds) {
        public Settings {
            if (rounds < 1) throw new IllegalArgumentException("bench: --rounds must be at least 1, got " + rounds);
        }

        public Settings(Path json, boolean quick, boolean peers, Path peersScript) {
            this(json, quick, peers, peersScript, false, List.of(), List.of(), false, 1);
        }
    }

    private BenchRuns() {}

    /**
     * The kernel cases on every usable backend but the reference one, or on the requested one (null: all), each with 1
     * thread and every core where its thread count can be chosen.
     */
    public static List<KernelBench.Record> kernels(String requestedBackend, Settings s) throws IOException {
        List<KernelBench.Record> records = Rounds.run(s.rounds(), round -> {
            List<KernelBench.Record> turn = new ArrayList<>();
            for (Backend be : instances(requestedBackend, s)) {
                System.err.println("benchmarking " + BenchBackends.describe(be) + roundNote(round, s) + "...");
                turn.addAll(KernelBench.run(be, s.quick()));
            }
            if (s.peers()) turn.addAll(Peers.measure(s.peersScript(), s.quick(), s.threads()));
            return turn;
        });
        Table.printKernels(Rounds.medians(records));
        write(s.json(), records);
        return records;
    }

    /**
     * The model cases on every usable backend but the reference one, or on the requested one (null: all), each with 1
     * thread and every core where its thread count can be chosen.
     */
    public static List<ModelBench.Record> models(String requestedBackend, Settings s) throws IOException {
        List<String> peerCases = ModelCases.peerCases(s.cases());   // also checks the ids before anything runs
        List<ModelBench.Record> records = Rounds.run(s.rounds(), round -> {
            List<ModelBench.Record> turn = new ArrayList<>();
            for (Backend be : instances(requestedBackend, s)) {
                System.err.println("benchmarking models on " + BenchBackends.describe(be) + roundNote(round, s) + "...");
                turn.addAll(ModelBench.run(be, s.quick(), s.cases()));
            }
            if (s.peers()) turn.addAll(Peers.measureModels(s.peersScript(), s.quick(), s.threads(), peerCases));
            return turn;
        });
        Table.printModels(Rounds.medians(records));
        write(s.json(), records);
        return records;
    }

    /** Every usable backend's instances (or the requested backend's) at the settings' thread counts. */
    private static List<Backend> instances(String requestedBackend, Settings s) {
        List<Backend> all = new ArrayList<>();
        for (String name : backends(requestedBackend)) all.addAll(BenchBackends.instances(name, s.threads()));
        return all;
    }

    private static String roundNote(int round, Settings s) { return s.rounds() == 1 ? "" : " (round " + round + " of " + s.rounds() + ")"; }

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
