package dev.opskit.spring.boot;

import dev.opskit.breaker.BreakerConfig;
import dev.opskit.breaker.ProviderBreakers;
import dev.opskit.breaker.SwitchSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Provider circuit breakers from {@code opskit.breakers.*}: the presets named in
 * {@code opskit.breakers.presets} and the breakers under {@code opskit.breakers.providers.<name>}
 * (a name that is a preset starts from the preset), with the runtime switches
 * ({@code <NAME>_CIRCUIT_OPEN}, {@code <NAME>_CIRCUIT_DISABLED}) read from
 * {@code opskit.breakers.switches.file}, system properties and the environment. Only configured
 * when at least one breaker is named.
 */
@AutoConfiguration
@ConditionalOnClass(ProviderBreakers.class)
@ConditionalOnProperty(prefix = "opskit.breakers", name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(OpskitProperties.class)
public class OpskitBreakerAutoConfiguration {

    /** The breakers; closed (refresher and call threads stopped) with the context. */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(ProviderBreakers.class)
    @Conditional(BreakersNamed.class)
    public ProviderBreakers opskitProviderBreakers(OpskitProperties properties) {
        return build(properties.getBreakers());
    }

    static ProviderBreakers build(OpskitProperties.Breakers p) {
        ProviderBreakers.Builder b = ProviderBreakers.builder();
        List<String> presets = p.getPresets();
        for (int i = 0; i < presets.size(); i++) {
            String name = presets.get(i).trim();
            if (!p.getProviders().containsKey(name)) {
                Props.run("opskit.breakers.presets[" + i + "]", name, () -> b.add(BreakerConfig.preset(name)));
            }
        }
        p.getProviders().forEach((name, provider) -> b.add(config(name, provider)));
        b.switchSource(switches(p.getSwitches()));
        Duration refresh = p.getSwitches().getRefreshInterval();
        Props.run("opskit.breakers.switches.refresh-interval", refresh, () -> b.switchRefreshInterval(refresh));
        return b.build();
    }

    private static BreakerConfig config(String name, OpskitProperties.Provider p) {
        String prefix = "opskit.breakers.providers." + name + ".";
        BreakerConfig.Builder b = Props.apply("opskit.breakers.providers", name,
                () -> BreakerConfig.presetNames().contains(name) ? BreakerConfig.preset(name).toBuilder() : BreakerConfig.custom(name));
        set(prefix + "failure-rate-threshold", p.getFailureRateThreshold(), b::failureRateThreshold);
        set(prefix + "slow-call-rate-threshold", p.getSlowCallRateThreshold(), b::slowCallRateThreshold);
        set(prefix + "slow-call-duration", p.getSlowCallDuration(), b::slowCallDuration);
        set(prefix + "sliding-window-size", p.getSlidingWindowSize(), b::slidingWindowSize);
        set(prefix + "minimum-number-of-calls", p.getMinimumNumberOfCalls(), b::minimumNumberOfCalls);
        set(prefix + "wait-in-open-state", p.getWaitInOpenState(), b::waitInOpenState);
        set(prefix + "permitted-calls-in-half-open-state", p.getPermittedCallsInHalfOpenState(), b::permittedCallsInHalfOpenState);
        set(prefix + "max-wait-in-half-open-state", p.getMaxWaitInHalfOpenState(), b::maxWaitInHalfOpenState);
        set(prefix + "max-attempts", p.getMaxAttempts(), b::maxAttempts);
        set(prefix + "max-retry-after", p.getMaxRetryAfter(), b::maxRetryAfter);
        return Props.apply("opskit.breakers.providers." + name, name, b::build);
    }

    private static <T> void set(String property, @Nullable T value, Consumer<T> setter) {
        if (value != null) {
            Props.run(property, value, () -> setter.accept(value));
        }
    }

    private static SwitchSource switches(OpskitProperties.Switches s) {
        List<SwitchSource> sources = new ArrayList<>();
        String file = s.getFile();
        if (file != null && !file.isBlank()) {
            sources.add(Props.apply("opskit.breakers.switches.file", file, () -> SwitchSource.file(Path.of(file))));
        }
        if (s.isSystemProperties()) {
            sources.add(SwitchSource.systemProperties());
        }
        if (s.isEnvironment()) {
            sources.add(SwitchSource.environment());
        }
        SwitchSource result = SwitchSource.of(Map.of());
        for (int i = sources.size() - 1; i >= 0; i--) {
            result = sources.get(i).or(result);
        }
        return result;
    }

    /** Matches when {@code opskit.breakers.presets} or {@code opskit.breakers.providers} names a breaker. */
    static final class BreakersNamed extends SpringBootCondition {
        @Override
        public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
            Binder binder = Binder.get(context.getEnvironment());
            List<String> presets = binder.bind("opskit.breakers.presets", Bindable.listOf(String.class)).orElse(List.of());
            Map<String, OpskitProperties.Provider> providers = binder
                    .bind("opskit.breakers.providers", Bindable.mapOf(String.class, OpskitProperties.Provider.class))
                    .orElse(Map.of());
            if (presets.isEmpty() && providers.isEmpty()) {
                return ConditionOutcome.noMatch("no breaker named in opskit.breakers.presets or opskit.breakers.providers");
            }
            return ConditionOutcome.match("breakers named: presets " + presets + ", providers "
                    + providers.keySet());
        }
    }
}
