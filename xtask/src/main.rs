fn main() {
    println!("xtask: no commands yet");
}
