package dev.maskseg.cli;

import dev.maskseg.pipeline.data.ImageFiles;
import dev.maskseg.pipeline.mining.MaskMiningStage;
import dev.maskseg.prior.MaskPrior;
import dev.maskseg.prior.PriorParams;
import dev.maskseg.prior.Priors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "mine-masks", description = {"Run a mask prior over a folder of images (see 'maskseg plugins' for priors and parameters).",
        "Writes <stem>.png (0/255) for one mask, <stem>_<k>.png for several, and masks.json with the parameters, scores and "
                + "areas. Every file is written atomically; an interrupted run continues where it stopped when run again, a finished one "
                + "needs --resume (or --overwrite). An image that cannot be decoded, or on which the prior fails, is reported, recorded "
                + "in masks.json and OUT/run.json, and skipped (--strict stops instead); two images whose names differ only in the "
                + "extension are both refused, since outputs are named by stem."})
final class MineMasksCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConsoleOutput console = new ConsoleOutput();

    @Option(names = "--prior", required = true, description = "Prior name, e.g. mbplus, rbd, dino-attention, lost, maskdistill, slic, felzenszwalb.")
    String priorName;

    @Option(names = "--images", required = true, description = "Folder of PNG/JPEG images.")
    Path images;

    @Option(names = "--out", required = true, description = "Output folder.")
    Path out;

    @Option(names = "--param", paramLabel = "KEY=VALUE", description = "A prior parameter (repeatable).")
    List<String> params = new ArrayList<>();

    @Option(names = "--threads", converter = Ranges.AtLeastOne.class, description = "Images processed in parallel (default: available cores).")
    int threads = Runtime.getRuntime().availableProcessors();

    @Mixin
    BatchFlags batch = new BatchFlags();

    @Override
    public Integer call() throws Exception {
        MaskPrior prior;
        PriorParams resolved;
        try {
            prior = Priors.get(priorName, Main.pluginLoader());
            resolved = PriorParams.resolve(prior, PriorParams.parse(params));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        MaskMiningStage.Summary s = new MaskMiningStage(prior, resolved).run(ImageFiles.list(images), out, threads, batch.options(), console.listener("mine-masks"));
        System.out.println(s.line());
        return 0;
    }
}
