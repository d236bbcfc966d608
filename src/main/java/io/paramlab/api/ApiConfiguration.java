package io.paramlab.api;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JacksonModule;

/** Wires the tensor codec into Boot's JSON mapper. */
@Configuration(proxyBeanMethods = false)
class ApiConfiguration {

    @Bean
    JacksonModule tensorJsonModule() {
        return TensorJson.module();
    }
}
