// A media upload is sent alone: `Upload` has no `queue`, so it cannot go into a batch.
use discogen_runtime::Media;
use generated_example::farm_v1::{Farm, Photo};

fn main() {
    let farm = Farm::builder().build().unwrap();
    let mut batch = farm.new_batch();
    let media = Media::new("image/png", vec![0x89, b'P', b'N', b'G']);
    farm.animals()
        .photos()
        .insert("pony", Photo::default())
        .upload(media)
        .queue(&mut batch, |_id, _result| {});
}
