// A media download is sent alone: `Download` has no `queue`, so it cannot go into a batch.
use generated_example::farm_v1::Farm;

fn main() {
    let farm = Farm::builder().build().unwrap();
    let mut batch = farm.new_batch();
    farm.animals()
        .photos()
        .get("pony", "1")
        .download()
        .queue(&mut batch, |_id, _result| {});
}
