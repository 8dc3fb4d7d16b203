//! The fidelity report (what the emulator models, what it replays, where it is not Flink), reviewed as
//! a snapshot for the oldest and the newest version.

#[test]
fn the_fidelity_report_names_every_pair_and_every_difference() {
    for version in ["1.15.4", "2.3.0"] {
        let dir = flink_rest_emulator::default_fixtures();
        let report = flink_rest_emulator::fidelity(&dir, version).unwrap();
        insta::assert_snapshot!(format!("fidelity-{version}"), report);
    }
}
