package dev.maskseg.cli;

import dev.maskseg.engine.Tensor;
import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.zoo.Models;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class FeaturesCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesClsPatchesAndAttentionPerImageAndResumes() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images")), out = dir.resolve("features"), w = dir.resolve("vit.safetensors");
        for (int i = 0; i < 2; i++) {
            BufferedImage img = new BufferedImage(40 + 8 * i, 33, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) img.setRGB(x, y, (x * 6) << 16 | (y * 7) << 8 | (i * 90));
            ImageIO.write(img, "png", images.resolve("img" + i + ".png").toFile());
        }
        SafeTensors.write(w, Models.create("vit_small_patch16", 1).module().stateDict(), Map.of());
        String[] args = {"features", "--weights", w.toString(), "--images", images.toString(), "--out", out.toString()};
        assertEquals(0, Main.run(args));
        Map<String, Tensor> f = SafeTensors.read(out.resolve("img1.safetensors"));   // 48x33 padded to 48x48: 3x3 patches
        assertArrayEquals(new int[]{384}, f.get("cls").shape());
        assertArrayEquals(new int[]{9, 384}, f.get("patches").shape());
        assertArrayEquals(new int[]{6, 10, 10}, f.get("attn_last").shape());
        assertArrayEquals(new long[]{3, 3}, f.get("grid").toLongArray());
        double rowSum = 0;
        for (int j = 0; j < 10; j++) rowSum += f.get("attn_last").get(0, 0, j);
        assertEquals(1.0, rowSum, 1e-5);

        Path done = out.resolve("img0.safetensors");
        Files.setLastModifiedTime(done, FileTime.fromMillis(1000));
        assertEquals(1, Main.run(args), "a finished run is not redone without --resume or --overwrite");
        String[] resume = java.util.Arrays.copyOf(args, args.length + 1);
        resume[args.length] = "--resume";
        assertEquals(0, Main.run(resume));
        assertEquals(1000, Files.getLastModifiedTime(done).toMillis(), "existing outputs are kept when the run is resumed");
    }

    @Test
    void mismatchedWeightsFailWithExitOne() throws Exception {
        Path w = dir.resolve("resnet.safetensors"), input = dir.resolve("in.safetensors");
        SafeTensors.write(w, Map.of("conv1.weight", Tensor.zeros(64, 3, 7, 7)), Map.of());
        SafeTensors.write(input, Map.of("input", Tensor.zeros(1, 3, 32, 32)), Map.of());
        assertEquals(1, Main.run("forward", "--model", "vit_small_patch16", "--weights", w.toString(), "--input", input.toString(),
                "--out", dir.resolve("o.safetensors").toString()));
        assertEquals(1, Main.run("forward", "--model", "vit_tiny", "--weights", w.toString(), "--input", input.toString(),
                "--out", dir.resolve("o.safetensors").toString()));
        assertEquals(2, Main.run("forward", "--model", "resnet50"));
        assertFalse(Files.exists(dir.resolve("o.safetensors")));
    }
}
