package dev.octet.ops;

import dev.octet.api.DataType;
import dev.octet.api.Tensor;
import java.util.List;

/**
 * OptionalHasElement and OptionalGetElement as far as Octet has optional values: none. Values of optional type
 * are refused at import; from opset 18 these operators also take a plain tensor (which always holds its element)
 * or an omitted input (which never does), and that is what Octet runs.
 */
final class OptionalOps {
    private OptionalOps() {}

    static void register(OpRegistry.Builder r) {
        // Opset 15 took only optional-typed inputs, which Octet refuses at import, so only 18 on is implemented.
        r.onnx("OptionalHasElement", 18).inputs("o").outputs("r")
            .shape(c -> Shapes.one(DataType.BOOL, List.of()))
            .factory(ctx -> {
                boolean present = ctx.hasInput(0);
                return in -> new Tensor[] {Tensor.ofBools(new boolean[] {present})};
            });
        r.onnx("OptionalGetElement", 18).unary()
            .shape(c -> new ShapeValue[] {c.in(0)})
            .traits(OpTrait.IDENTITY)
            .factory(ctx -> in -> new Tensor[] {in[0]});
    }
}
