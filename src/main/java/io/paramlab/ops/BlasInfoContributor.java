package io.paramlab.ops;

import io.paramlab.tensor.Blas;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;
import org.springframework.stereotype.Component;

import java.util.Map;

/**
 * Which BLAS computes the matrix products, in /actuator/info: the native OpenBLAS through JNI, or
 * netlib's Java fallback when the library is missing. A slow service is often a missing OpenBLAS.
 */
@Component
class BlasInfoContributor implements InfoContributor {

    @Override
    public void contribute(Info.Builder builder) {
        builder.withDetail("blas", Map.of("implementation", Blas.implementation(), "description", Blas.describe()));
    }
}
