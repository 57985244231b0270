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
    public record Settings(Path json, boolean quick, boolean peers, Path peersScript) {}

    private BenchRuns() {}

    /**
     * The kernel cases on every usable backend but the reference one, or on the requested one (null: all), each with 1
     * thread and every core where its thread count can be chosen.
     */
    public static List<KernelBench.Record> kernels(String requestedBackend, Settings s) throws IOException {
        List<KernelBench.Record> records = new ArrayList<>();
        for (String name : backends(requestedBackend)) {
            for (Backend be : BenchBackends.instances(name)) {
                System.err.println("benchmarking " + BenchBackends.describe(be) + "...");
                records.addAll(KernelBench.run(be, s.quick()));
            }
        }
        if (s.peers()) records.addAll(Peers.measure(s.peersScript(), s.quick()));
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
            for (Backend be : BenchBackends.instances(name)) {
                System.err.println("benchmarking models on " + BenchBackends.describe(be) + "...");
                records.addAll(ModelBench.run(be, s.quick()));
            }
        }
        if (s.peers()) records.addAll(Peers.measureModels(s.peersScript(), s.quick()));
        Table.printModels(records);
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
