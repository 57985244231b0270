package dev.maskseg.engine.jvm;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** The float vector species, from -Dmaskseg.vector.bits (128/256/512) or the platform's preferred. */
final class VectorWidth {
    static final VectorSpecies<Float> SPECIES = choose();
    /** int lanes of the same shape (bit tricks on float lanes). */
    static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, SPECIES.vectorShape());

    private VectorWidth() {}

    private static VectorSpecies<Float> choose() {
        String bits = System.getProperty("maskseg.vector.bits", "").trim();
        if (bits.isEmpty()) return FloatVector.SPECIES_PREFERRED;
        return switch (bits) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> throw new IllegalArgumentException("maskseg.vector.bits must be 128, 256 or 512, got " + bits);
        };
    }

    static String describe() { return SPECIES.vectorBitSize() + "-bit (" + VectorShape.preferredShape().vectorBitSize() + " preferred)"; }
}
