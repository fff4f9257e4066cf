// AdamW's default learning rate, the same for both frameworks (diffusers'
// training scripts use 1e-4 to 1e-5). Its own file: the protocol reads it
// without loading the trainer (and TensorFlow.js with it).
export const DEFAULT_LEARNING_RATE = 1e-4;
