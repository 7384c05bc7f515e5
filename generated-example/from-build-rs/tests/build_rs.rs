//! The client generated from build.rs is the checked-in one, and it works.

use farm_from_build_rs::farm_v1::Farm;
use generated_example::in_memory_farm::InMemoryFarm;

#[test]
fn build_rs_output_is_the_checked_in_client() {
    let from_build_rs = include_str!(concat!(env!("OUT_DIR"), "/farm_v1.rs"));
    let checked_in = include_str!("../../src/farm_v1.rs");
    assert!(
        from_build_rs == checked_in,
        "generated-example/src/farm_v1.rs is out of date: regenerate it with the README's first command"
    );
}

#[tokio::test]
async fn the_included_client_sends_and_batches() {
    let server = InMemoryFarm::seeded().start().await;
    let farm = Farm::builder().root_url(server.url()).build().unwrap();
    let pony = farm.animals().get("pony").send().await.unwrap().body;
    assert_eq!(pony.animal_name.as_deref(), Some("pony"));

    let names = std::sync::Mutex::new(Vec::new());
    let mut batch = farm.new_batch();
    for name in ["pony", "sheep"] {
        farm.animals()
            .get(name)
            .queue(&mut batch, |_, result| {
                names.lock().unwrap().push(result.unwrap().body.animal_name)
            })
            .unwrap();
    }
    let summary = batch.execute().await;
    assert_eq!((summary.succeeded, summary.http_requests), (2, 1));
    let mut names = names.into_inner().unwrap();
    names.sort();
    assert_eq!(names, [Some("pony".to_owned()), Some("sheep".to_owned())]);
}
