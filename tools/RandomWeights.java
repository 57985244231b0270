import dev.maskseg.engine.io.SafeTensors;
import dev.maskseg.zoo.Models;

import java.nio.file.Path;
import java.util.Map;

/**
 * Writes a model-zoo model's weights at random initialisation (seed 1) as safetensors, for timing runs that need a
 * weights file but not trained weights (speed does not depend on the values). Run with the CLI's class path:
 * java --add-modules jdk.incubator.vector -cp "cli/target/maskseg-cli.jar:cli/target/lib/*" tools/RandomWeights.java vit_small_patch16 OUT.safetensors
 */
public class RandomWeights {
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: RandomWeights MODEL OUT.safetensors");
            System.exit(2);
        }
        SafeTensors.write(Path.of(args[1]), Models.create(args[0], 1).module().stateDict(), Map.of("note", "random initialisation, seed 1"));
    }
}
