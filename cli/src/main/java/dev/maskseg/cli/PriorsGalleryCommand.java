package dev.maskseg.cli;

import dev.maskseg.pipeline.data.ImageFiles;
import dev.maskseg.pipeline.mining.PriorsGallery;
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
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "priors-gallery", description = {"Show every installed mask prior's masks side by side on a few of your images, as one page "
        + "(OUT/index.html), to choose the prior for 'mine-masks'. Priors that need DINO weights (dino-attention, lost, maskdistill) run "
        + "only with --param weights=FILE (or PRIOR.weights=FILE); otherwise the page lists them as not run, since a ViT at random "
        + "initialisation gives meaningless masks."})
final class PriorsGalleryCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ConsoleOutput console = new ConsoleOutput();

    @Option(names = "--images", required = true, description = "Folder of PNG/JPEG images.")
    Path images;

    @Option(names = "--out", required = true, description = "Output folder (index.html and tiles/).")
    Path out;

    @Option(names = "--priors", split = ",", paramLabel = "NAME", description = "Priors to show (default: all installed, see 'maskseg plugins').")
    List<String> priorNames = new ArrayList<>();

    @Option(names = "--max-images", defaultValue = "6", description = "Images shown, the first by name (default: ${DEFAULT-VALUE}).")
    int maxImages;

    @Option(names = "--size", defaultValue = "320", description = "Longer side of the previews in pixels (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--param", paramLabel = "[PRIOR.]KEY=VALUE", description = "A prior parameter (repeatable): PRIOR.KEY=VALUE for one prior, "
            + "KEY=VALUE for every shown prior that has it, e.g. weights=dino_deitsmall16.pth.")
    List<String> params = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<MaskPrior> priors = new ArrayList<>();
        PriorsGallery gallery;
        try {
            if (priorNames.isEmpty()) priors.addAll(Priors.all(Main.pluginLoader()).values());
            else for (String n : priorNames) priors.add(Priors.get(n.trim(), Main.pluginLoader()));
            Map<String, Map<String, String>> byPrior = PriorsGallery.params(priors, PriorParams.parse(params));
            gallery = new PriorsGallery(priors, byPrior, size);
            if (maxImages < 1) throw new IllegalArgumentException("--max-images must be >= 1, got " + maxImages);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        PriorsGallery.Summary s = gallery.run(ImageFiles.list(images), maxImages, out, console.listener("priors-gallery"));
        System.out.printf("priors-gallery: %d images x %d priors (%s)%s; %s%n", s.images(), s.ran().size(), String.join(", ", s.ran()),
                s.notRun().isEmpty() ? "" : ", not run: " + String.join(", ", s.notRun().keySet()) + " (see the page)", s.page());
        return 0;
    }
}
