use extrasafe::builtins::BasicCapabilities;
use extrasafe::RuleSet;

#[test]
/// Test if `RuleSets` can be references.
fn ref_ruleset() -> Result<(), extrasafe::ExtraSafeError> {
    compat_051::own_process!(Ok(())); // compat: a process of its own
    let ruleset: &dyn RuleSet = &BasicCapabilities;
    extrasafe::SafetyContext::new()
        .enable(ruleset)?
        .apply_to_current_thread()
}
