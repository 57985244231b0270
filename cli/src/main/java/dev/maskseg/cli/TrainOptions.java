package dev.maskseg.cli;

import dev.maskseg.pipeline.RunFolder;
import dev.maskseg.pipeline.config.DataConfig;
import dev.maskseg.pipeline.config.RunConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The options every {@code train} method shares (a picocli mixin), and its run folder's config.yml. */
final class TrainOptions {
    @Option(names = "--config", description = "YAML file with a data: section and the method's sections (configs/<method>/*.yml).")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Override a key, e.g. --set data.root=DIR --set maskcontrast.epochs=2.")
    List<String> sets = new ArrayList<>();

    @Option(names = "--out", required = true, description = "Run folder: new or empty; one that holds a run needs --resume or --overwrite.")
    Path out;

    @Option(names = "--resume", description = "Continue the run in --out from OUT/checkpoint.safetensors.")
    boolean resume;

    @Option(names = "--overwrite", description = "Start over in an --out that holds another run (or other files) instead of refusing it.")
    boolean overwrite;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--strict", description = "Stop at the first bad input file instead of skipping it.")
    boolean strict;

    /** The configuration with --set applied; a section other than {@code sections} is an error. */
    RunConfig load(List<String> sections) throws IOException {
        RunConfig run = RunConfig.load(config, sets);
        for (String s : run.sections()) {
            if (!sections.contains(s)) throw new IllegalArgumentException("config " + config + ": unknown section " + s + " (" + String.join(", ", sections) + ")");
        }
        return run;
    }

    /** The data: section, which must name the dataset and the masks (MaskContrast: no label maps). */
    static DataConfig data(RunConfig run) throws IOException {
        DataConfig data = run.section("data", DataConfig.defaults(), DataConfig.class);
        if (data.root().isEmpty() || data.masks().isEmpty()) throw new IllegalArgumentException("config: data.root and data.masks are required");
        if (!data.labels().isEmpty()) throw new IllegalArgumentException("config: data.labels applies to train maskdistill; MaskContrast trains on data.masks");
        return data;
    }

    /** The data: section of a MaskDistill run: the dataset, and the prior's masks or label maps to train on. */
    static DataConfig distillData(RunConfig run) throws IOException {
        DataConfig data = run.section("data", DataConfig.defaults(), DataConfig.class);
        if (data.root().isEmpty() || (data.masks().isEmpty() && data.labels().isEmpty())) {
            throw new IllegalArgumentException("config: data.root and data.masks (or data.labels / --labels) are required");
        }
        return data;
    }

    /** What may be done with a run already in --out. */
    RunFolder.Mode mode() { return BatchFlags.mode(command, resume, overwrite); }

    /** The effective configuration (defaults, file and --set merged) as the run records it in OUT/config.yml. */
    static String effective(Map<String, Object> sections) throws IOException { return RunConfig.toYaml(sections); }
}
