package io.paramlab.init;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExpressionTest {

    private static float eval(String text, float w) {
        return Expression.parse(text).apply(w);
    }

    @Test
    void theChaptersMyInitKeepsLargeValues() {
        assertThat(eval("w * (abs(w) >= 5)", 7.5f)).isEqualTo(7.5f);
        assertThat(eval("w * (abs(w) >= 5)", -4.9f)).isEqualTo(-0f);
        assertThat(eval("w * (abs(w) >= 5)", -5f)).isEqualTo(-5f);
    }

    @Test
    void precedenceAndAssociativityAreArithmetics() {
        assertThat(eval("1 + 2 * 3", 0)).isEqualTo(7f);
        assertThat(eval("(1 + 2) * 3", 0)).isEqualTo(9f);
        assertThat(eval("8 / 4 / 2", 0)).isEqualTo(1f);
        assertThat(eval("10 - 4 - 3", 0)).isEqualTo(3f);
        assertThat(eval("-w * 2", 3)).isEqualTo(-6f);
        assertThat(eval("2 * w + 1 > 4", 2)).isEqualTo(1f);
        assertThat(eval("1e-3 * w", 1000)).isEqualTo(1f);
    }

    @Test
    void functionsAndComparisons() {
        assertThat(eval("clamp(w, -1, 1)", 3)).isEqualTo(1f);
        assertThat(eval("where(w > 0, w, 0.01 * w)", -2)).isEqualTo(-0.02f);
        assertThat(eval("max(w, 0) + min(w, 0)", -2)).isEqualTo(-2f);
        assertThat(eval("sign(w) * sqrt(abs(w))", -4)).isEqualTo(-2f);
        assertThat(eval("log(exp(w))", 1.5f)).isEqualTo(1.5f);
        assertThat(eval("(w == 1) + (w != 1) * 10 + (w <= 1) * 100 + (w < 1) * 1000", 1)).isEqualTo(101f);
    }

    @Test
    void syntaxErrorsGiveThePosition() {
        assertThatThrownBy(() -> Expression.parse("w * (abs(w) >= 5"))
                .isInstanceOfSatisfying(ExpressionSyntaxException.class, e -> assertThat(e.position()).isEqualTo(16))
                .hasMessageContaining("expected ')'");
        assertThatThrownBy(() -> Expression.parse("w + * 2"))
                .isInstanceOfSatisfying(ExpressionSyntaxException.class, e -> assertThat(e.position()).isEqualTo(4));
        assertThatThrownBy(() -> Expression.parse("w)"))
                .hasMessage("unexpected ')' at position 1");
    }

    @Test
    void onlyTheLanguagesNamesExist() {
        assertThatThrownBy(() -> Expression.parse("getClass()")).hasMessageStartingWith("unknown name 'getClass'");
        assertThatThrownBy(() -> Expression.parse("java.lang.Runtime")).hasMessageStartingWith("unknown name 'java'");
        assertThatThrownBy(() -> Expression.parse("min(w)")).hasMessage("min() takes 2 arguments, got 1 at position 0");
    }

    @Test
    void hostileInputIsBounded() {
        assertThatThrownBy(() -> Expression.parse("(".repeat(5000) + "w" + ")".repeat(5000)))
                .hasMessageContaining("longer than 1000");
        assertThatThrownBy(() -> Expression.parse("(".repeat(200) + "w" + ")".repeat(200)))
                .hasMessageContaining("nested deeper than 100");
        assertThatThrownBy(() -> Expression.parse("-".repeat(300) + "w")).hasMessageContaining("nested deeper than 100");
    }
}
