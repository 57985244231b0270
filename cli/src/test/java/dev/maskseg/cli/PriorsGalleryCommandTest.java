package dev.maskseg.cli;

import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.prior.Priors;
import dev.maskseg.zoo.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code priors-gallery} on three real photos (scikit-image's public-domain samples in test resources). */
class PriorsGalleryCommandTest {
    private static final Path PHOTOS;

    static {
        try {
            PHOTOS = Path.of(PriorsGalleryCommandTest.class.getResource("/photos").toURI());
        } catch (java.net.URISyntaxException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @TempDir
    Path tmp;

    /** With ViT weights (random here; any DINO ViT-S/16 file in practice) every installed prior runs on every photo. */
    @Test
    void pageShowsEveryInstalledPriorsMasksOnThreePhotos() throws Exception {
        Path vit = tmp.resolve("vit.safetensors"), out = tmp.resolve("gallery");
        SafeTensors.write(vit, Models.create("vit_small_patch16", 1).module().stateDict(), Map.of());
        Console c = Console.run("priors-gallery", "--images", PHOTOS.toString(), "--out", out.toString(), "--param", "weights=" + vit,
                "--param", "maskdistill.resize=0");
        assertEquals(0, c.code(), c.err());
        String page = Files.readString(out.resolve("index.html"));
        Set<String> installed = Priors.all(getClass().getClassLoader()).keySet();
        assertEquals(7, installed.size(), "the seven priors of this repository: " + installed);
        for (String prior : installed) {
            assertTrue(page.contains("<th>" + prior + "<br>"), "a column for " + prior);
            for (String photo : new String[]{"astronaut", "chelsea", "coffee"}) {
                Path tile = out.resolve("tiles/" + photo + "-" + prior + ".png");
                assertTrue(Files.size(tile) > 0, tile.toString());
                assertTrue(page.contains("tiles/" + photo + "-" + prior + ".png"), "the page shows " + tile.getFileName());
            }
        }
        assertTrue(!page.contains("Not run") && !page.contains("failed:"), "every prior ran");
        assertTrue(c.out().contains("3 images x 7 priors"), c.out());
    }

    /** Without weights, the DINO priors are listed as not run, with the parameter they need; the others run. */
    @Test
    void priorsThatNeedWeightsAreListedWithTheParameterTheyNeed() throws Exception {
        Path out = tmp.resolve("gallery");
        Console c = Console.run("priors-gallery", "--images", PHOTOS.toString(), "--out", out.toString(), "--max-images", "1",
                "--priors", "mbplus,dino-attention,slic");
        assertEquals(0, c.code(), c.err());
        String page = Files.readString(out.resolve("index.html"));
        assertTrue(page.contains("Not run") && page.contains("<b>dino-attention</b>: needs --param dino-attention.weights="), page);
        assertTrue(Files.exists(out.resolve("tiles/astronaut-mbplus.png")) && Files.exists(out.resolve("tiles/astronaut-slic.png")));
        assertTrue(!Files.exists(out.resolve("tiles/chelsea-mbplus.png")), "--max-images 1 shows the first image by name only");
        assertTrue(c.out().contains("not run: dino-attention"), c.out());

        assertEquals(2, Console.run("priors-gallery", "--images", PHOTOS.toString(), "--out", out.toString(), "--priors", "nosuch").code());
        Console bad = Console.run("priors-gallery", "--images", PHOTOS.toString(), "--out", out.toString(), "--priors", "mbplus", "--param", "k=3");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("no selected prior has the parameter 'k'"), bad.err());
    }
}
