# ClinicaDL's Conv5_FC3 as a network file: the same layers, in the same order, as the built-in network, so the
# same seed gives the same weights and the same training. Train it with
#   Start-ClinicaDLTraining ... -Architecture ./conv5-fc3.psd1
# and look at it with
#   Get-ClinicaDLNetwork -Path ./conv5-fc3.psd1 -InputShape 1,169,208,179
@{
    Name   = 'Conv5_FC3 (file)'

    # A block is a list of layers with parameters ('$Channels'), used below once per value of Repeat.
    Blocks = @{
        ConvBlock = @{
            Parameters = @{ Channels = 8 }
            Layers     = @(
                @{ Layer = 'Conv'; Channels = '$Channels'; Kernel = 3; Padding = 1 }
                @{ Layer = 'BatchNorm' }
                @{ Layer = 'ReLU' }
                @{ Layer = 'PadMaxPool' }
            )
        }
    }

    Layers = @(
        @{ Block = 'ConvBlock'; Repeat = @{ Channels = 8, 16, 32, 64, 128 } }
        # Grad-CAM's feature layers are the entries before this Flatten (the five block copies).
        @{ Layer = 'Flatten' }
        @{ Layer = 'Dropout' }                          # P: the training's -Dropout
        @{ Layer = 'Linear'; In = 'auto'; Out = 1300 }  # In: the features the blocks give, whatever the image size
        @{ Layer = 'ReLU' }
        @{ Layer = 'Linear'; Out = 50 }
        @{ Layer = 'ReLU' }
        @{ Layer = 'Linear'; Out = 'output' }          # the task's outputs: classes, or 1 for regression
    )
}
