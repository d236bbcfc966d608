package io.paramlab.security;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.web.DefaultSecurityFilterChain;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.context.AbstractSecurityWebApplicationInitializer;

import java.util.List;

/**
 * One filter chain, in one of two modes. Open (no token, no JWT issuer): every request passes as
 * {@code anonymous}, as before access control existed. Secured: a bearer token (a configured one, or a
 * JWT of the configured issuer) names the caller and its role, {@link RoleTable} decides, and refusals
 * are problems ({@link SecurityProblems}). Stateless either way: no session, no cookie, so no CSRF.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)   // no server, no door (the store's own tests)
class SecurityConfiguration {
    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    @Bean
    SecurityFilterChain paramlabSecurity(HttpSecurity http, AccessProperties properties, ObjectProvider<JwtDecoder> jwtDecoder,
                                         Environment environment) throws Exception {
        http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
        TokenTable tokens = new TokenTable(properties);
        JwtDecoder jwt = jwtDecoder.getIfAvailable();
        if (tokens.isEmpty() && jwt == null) {
            log.warn("Access control is off: no paramlab.security.tokens and no JWT issuer, so the API is open to anyone who"
                    + " reaches it; listening on {} (docs/configuration.md, Access control)", environment.getProperty("server.address", "every interface"));
            // a chain that matches no request: open mode costs no security filter per request
            // and Spring Security's servlet filter is then the firewall alone (paramlabOpenModeFilter)
            return http.securityMatcher(OpenModeFirewall.NO_REQUEST).authorizeHttpRequests(a -> a.anyRequest().permitAll()).build();
        }
        log.info("Access control is on: {} named token(s){}", properties.tokens().size(), jwt == null ? "" : " and JWTs of the configured issuer");
        SecurityProblems problems = new SecurityProblems();
        AuthenticationManager bearer = new ProviderManager(new BearerAuthentication(tokens, jwt == null ? null : jwtProvider(jwt)));
        return http
                .oauth2ResourceServer(o -> o.authenticationManagerResolver(request -> bearer)
                        .authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .exceptionHandling(e -> e.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .authorizeHttpRequests(a -> a.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC).permitAll()
                        .anyRequest().access(new RoleTable()))
                .build();
    }

    /**
     * In the open mode (the only chain is the one that matches no request), Spring Security's servlet
     * filter is replaced by {@link OpenModeFirewall}: the same firewall, without the work done for chains.
     */
    @Bean
    static BeanPostProcessor paramlabOpenModeFilter(ObjectProvider<SecurityFilterChain> chains) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                if (!AbstractSecurityWebApplicationInitializer.DEFAULT_FILTER_NAME.equals(name) || !(bean instanceof Filter)) {
                    return bean;
                }
                List<SecurityFilterChain> all = chains.orderedStream().toList();
                boolean open = !all.isEmpty() && all.stream().allMatch(chain -> chain instanceof DefaultSecurityFilterChain c
                        && c.getRequestMatcher() == OpenModeFirewall.NO_REQUEST);
                return open ? new OpenModeFirewall() : bean;
            }
        };
    }

    /**
     * No observation around the filter chain: with Spring Security's observations off
     * (management.observations.enable.spring.security=false) its decorator still wrapped every request,
     * the open mode's too, to make a no-op observation. The request timer (http.server.requests) stays.
     */
    @Bean
    SecurityObservationSettings paramlabNoSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /** The default firewall's rules, checked without regular expressions on every header read ({@link Firewall}). */
    @Bean
    WebSecurityCustomizer paramlabFirewall() {
        return web -> web.httpFirewall(Firewall.strict());
    }

    private static AuthenticationProvider jwtProvider(JwtDecoder decoder) {
        JwtAuthenticationProvider provider = new JwtAuthenticationProvider(decoder);
        provider.setJwtAuthenticationConverter(JwtRoles.converter());
        return provider;
    }
}
