package io.paramlab.security;

import io.paramlab.init.FanMode;
import io.paramlab.init.Nonlinearity;
import io.paramlab.model.Access;
import io.paramlab.nn.PyRepr;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Case-insensitive parsing and number formatting do not depend on the JVM's default locale
 * (Locale.ROOT everywhere): under Turkish, "fan_in".toUpperCase() is "FAN_İN", and under Thai digits
 * String.format("%02d", 5) is "๐๕".
 */
class LocaleIndependenceTest {
    private final Locale before = Locale.getDefault();

    @AfterEach
    void restore() {
        Locale.setDefault(before);
    }

    @Test
    void namesParseUnderATurkishDefaultLocale() {
        Locale.setDefault(Locale.forLanguageTag("tr-TR"));
        assertThat(FanMode.of("fan_in")).isEqualTo(FanMode.FAN_IN);
        assertThat(FanMode.FAN_IN.apiName()).isEqualTo("fan_in");
        assertThat(Nonlinearity.of("leaky_relu")).isEqualTo(Nonlinearity.LEAKY_RELU);
        assertThat(Nonlinearity.LEAKY_RELU.apiName()).isEqualTo("leaky_relu");
        assertThat(AccessProperties.access("ADMIN", "token")).isEqualTo(Access.ADMIN);
        assertThat(AccessProperties.access("Write", "token")).isEqualTo(Access.WRITE);
        // "ADMİN" (a dotted capital I) is not "admin": equalsIgnoreCase took it for one
        assertThatThrownBy(() -> AccessProperties.access("ADM\u0130N", "token")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void reprDigitsAreAsciiUnderAnyDefaultLocale() {
        Locale.setDefault(Locale.forLanguageTag("th-TH-u-nu-thai"));
        assertThat(PyRepr.floating(1e-5)).isEqualTo("1e-05");
    }
}
