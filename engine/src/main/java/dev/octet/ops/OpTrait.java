package dev.octet.ops;

/**
 * What a graph pass may assume about an operator, declared with its {@link OpDefinition}, so a pass asks for
 * a property instead of keeping its own list of op names.
 */
public enum OpTrait {
    /** The output is the input, unchanged: the node can be removed and its output renamed to its input. */
    IDENTITY,
    /**
     * Only moves, selects, counts or converts elements, never computes with them: accepts every element type,
     * including FLOAT16, BFLOAT16 and DOUBLE ({@link dev.octet.api.DataType#isEdgeOnly}), which every other
     * operator refuses at load.
     */
    ANY_ELEMENT_TYPE,
    /** Converts its one input to the type of its {@code to} attribute: a no-op when the types already agree. */
    CONVERSION,
    /**
     * Moves, copies or selects elements without computing new ones (reshapes, transposes, slices, gathers, tiles;
     * MaxPool picks the largest of each window; Concat joins its inputs, which are all data), so it runs on quantized
     * values exactly as on the values they stand for when input and output share scale and zero point (a positive
     * scale: dequantization is then increasing, and the largest code stands for the largest value).
     */
    DATA_MOVEMENT,
    /**
     * {@code max(x, 0)}: before a QuantizeLinear it becomes the output clamp {@code max(Q(v), zp)}, exactly,
     * as rounding is monotonic and maps 0 to 0.
     */
    QUANTIZED_CLAMP,
    /**
     * An integer operator computing element by element over inputs of the same rank (com.microsoft QLinearAdd,
     * QLinearMul: inputs 0 and 3): permuting both operands alike permutes the result alike, any broadcast included.
     */
    LAYOUT_AGNOSTIC_BINARY,
    /**
     * Computes each output element from the element at the same position of input 0 alone; any other input is a
     * parameter that is not broadcast against it (a scalar, a lookup table). The op runs alike in any layout, and
     * between per-tensor 8-bit DequantizeLinear and QuantizeLinear it is a function of 256 input values: a table.
     */
    ELEMENTWISE,
    /** A 2-D integer convolution that has a channels-last form (Octet's QLinearConv with {@code channels_last}). */
    CHANNELS_LAST_FORM,
}
